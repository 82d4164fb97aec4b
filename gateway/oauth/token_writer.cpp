#include "gateway/oauth/token_writer.hpp"

#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace oakgate::oauth {
namespace {

using std::chrono::milliseconds;

store::GroupCommitOptions TokenOptions(size_t batch_size) {
  store::GroupCommitOptions o;
  o.name = "token";
  o.metric_prefix = "oakgate_token_batch";
  o.items = "client_credentials tokens";
  o.batch_size = batch_size;
  return o;
}

store::GroupCommitOptions RotationOptions(size_t batch_size, store::Sleeper sleep) {
  store::GroupCommitOptions o;
  o.name = "refresh";
  o.metric_prefix = "oakgate_refresh_batch";
  o.items = "refresh rotations";
  o.batch_size = batch_size;
  // A rotation answered 503 although it took effect would make the client's retry look like
  // reuse: ask for about five seconds, while the database may be on its way back.
  o.resolve_attempts = 20;
  o.resolve_interval = milliseconds(250);
  o.sleep = std::move(sleep);
  return o;
}

}  // namespace

TokenWriter::TokenWriter(store::TokenStore& tokens, size_t batch_size)
    : committer_(
          [&tokens](const std::vector<store::ClientCredentialsIssue>& batch) {
            std::vector<store::Issued> issued = tokens.IssueClientCredentials(batch);
            return std::vector<std::optional<store::Issued>>(issued.begin(), issued.end());
          },
          // Each lookup runs on a fresh connection; the first that fails leaves the rest
          // unknown.
          [&tokens](const std::vector<store::ClientCredentialsIssue>& batch) {
            std::vector<store::Resolution<store::Issued>> out(batch.size());
            for (size_t i = 0; i < batch.size(); ++i) {
              const store::NewTokens& t = batch[i].tokens;
              if (tokens.AccessTokenStored(t.access_hash)) {
                out[i] = {store::InDoubt::kStored, store::Issued{0, t.access_ttl_seconds}};
              } else {
                out[i].state = store::InDoubt::kNotStored;
              }
            }
            return out;
          },
          TokenOptions(batch_size)) {}

bool TokenWriter::Submit(store::ClientCredentialsIssue issue, Done done) {
  return committer_.Submit(std::move(issue),
                           [done = std::move(done)](store::Outcome<store::Issued> outcome) {
                             done(outcome.stored() ? outcome.value : std::nullopt);
                           });
}

RotationWriter::RotationWriter(store::RotationStore& rotations, size_t batch_size,
                               store::Sleeper sleep)
    : committer_(
          [&rotations](const std::vector<store::RotationRequest>& batch) {
            return rotations.RotateBatch(batch);
          },
          [&rotations](const std::vector<store::RotationRequest>& batch) {
            std::vector<std::string> hashes;
            hashes.reserve(batch.size());
            for (const auto& r : batch) hashes.push_back(r.tokens.access_hash);
            std::vector<std::optional<store::Rotated>> found = rotations.FindRotated(hashes);
            std::vector<store::Resolution<store::Rotated>> out(batch.size());
            for (size_t i = 0; i < batch.size() && i < found.size(); ++i) {
              out[i].state = found[i] ? store::InDoubt::kStored : store::InDoubt::kNotStored;
              out[i].value = std::move(found[i]);
            }
            return out;
          },
          RotationOptions(batch_size, std::move(sleep))) {}

bool RotationWriter::Submit(store::RotationRequest request, Done done) {
  return committer_.Submit(std::move(request), std::move(done));
}

store::Outcome<store::Rotated> RotationWriter::Rotate(store::RotationRequest request) {
  auto promise = std::make_shared<std::promise<store::Outcome<store::Rotated>>>();
  auto answer = promise->get_future();
  if (!Submit(std::move(request), [promise](store::Outcome<store::Rotated> outcome) {
        promise->set_value(std::move(outcome));
      })) {
    return {};
  }
  return answer.get();
}

}  // namespace oakgate::oauth
