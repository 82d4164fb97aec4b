#include "gateway/oauth/token_service.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "gateway/oauth/grants/client_credentials.hpp"
#include "gateway/oauth/grants/grant_types.hpp"
#include "gateway/oauth/grants/issue.hpp"
#include "gateway/oauth/grants/refresh_token.hpp"
#include "gateway/observe/log.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::oauth {
namespace {

bool Allows(const store::Client& client, std::string_view grant) {
  return std::find(client.grant_types.begin(), client.grant_types.end(), grant) !=
         client.grant_types.end();
}

// Label values come from fixed sets: the three grants (unknown ones are refused before) and
// the error table.
void Count(const TokenResult& result, std::string_view grant) {
  auto& m = observe::Metrics();
  if (result) {
    m.GetCounter("oakgate_tokens_issued_total", "Access tokens issued, by grant type",
                 {{"grant", std::string(grant)}})
        .Inc();
  } else {
    m.GetCounter("oakgate_token_errors_total", "Refused token requests, by OAuth error",
                 {{"error", std::string(ErrorString(result.error().code))}})
        .Inc();
  }
}

TokenResult Unavailable() {
  OAuthError e =
      MakeError(ErrorCode::kTemporarilyUnavailable, "the service is temporarily unavailable");
  e.retry_after = 2;
  return util::Fail(std::move(e));
}

}  // namespace

// One thread, with its own database connection, for the refreshes that the rotation's group
// commit left out: reuse detection, grace, unknown or revoked tokens. They are rare (a client
// bug, a race or an attack), so one thread suffices, and a bounded queue keeps a flood of bad
// tokens from growing it: beyond it, 503 with nothing done.
class TokenService::Lane {
 public:
  Lane() : thread_([this] { Run(); }) {}
  ~Lane() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  bool Post(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || jobs_.size() >= kCapacity) return false;
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
    return true;
  }

 private:
  static constexpr size_t kCapacity = 256;
  void Run() {
    std::unique_lock lock(mutex_);
    while (true) {
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and every job run
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

TokenService::TokenService(store::Database& db, ClientAuthenticator& auth, OAuthSettings settings,
                           TokenWriter* writer, RotationWriter* rotations)
    : db_(db),
      auth_(auth),
      settings_(std::move(settings)),
      writer_(writer),
      rotations_(rotations),
      lane_(rotations ? std::make_unique<Lane>() : nullptr) {}

TokenService::~TokenService() {
  // The writer's last answers may still need the lane.
  if (rotations_) rotations_->Stop();
}

GrantContext TokenService::ContextFor(const Caller& caller) {
  GrantContext ctx{db_.Tokens(), db_.Resources(), settings_, caller};
  if (rotations_) {
    RotationWriter* w = rotations_;
    ctx.rotate = [w](store::RotationRequest r) { return w->Rotate(std::move(r)); };
  }
  return ctx;
}

TokenResult TokenService::IssueFor(const store::Client& client,
                                   const std::vector<std::string>& scopes, const IssueWrite& write,
                                   const OAuthError& refused) {
  grants::Minted minted =
      grants::Mint(Allows(client, "refresh_token"), scopes, settings_.access_token_ttl);
  auto issued = grants::CommitResolved(db_, minted, [&] {
    return write(minted.stored, settings_.refresh_token_ttl, settings_.refresh_idle_ttl);
  });
  TokenResult result = issued ? TokenResult(grants::Respond(minted, *issued, scopes))
                              : TokenResult(util::Fail(refused));
  Count(result, "legacy_jwt");
  return result;
}

TokenResult TokenService::Exchange(const TokenRequest& request, const Caller& caller) {
  TokenResult result = Dispatch(request, caller);
  Count(result, result ? *request.grant_type : "");
  return result;
}

bool TokenService::ExchangeAsync(const TokenRequest& request, const Caller& caller,
                                 std::function<void(TokenResult)> done) {
  if (request.grant_type == "refresh_token") return RefreshAsync(request, caller, done);
  if (!writer_ || request.grant_type != "client_credentials" || !request.resources.empty()) {
    return false;
  }
  auto client = auth_.TryCached(request.credentials, caller);
  if (!client || !Allows(client->client, "client_credentials")) return false;
  GrantContext ctx{db_.Tokens(), db_.Resources(), settings_, caller};
  auto token = grants::PrepareClientCredentials(ctx, *client, request);
  if (!token) return false;  // refusals are the pool's, which answers and counts them
  auto t = std::make_shared<grants::ClientCredentialsToken>(std::move(token.value()));
  store::ClientCredentialsIssue write = std::move(t->write);
  return writer_->Submit(
      std::move(write), [t, done = std::move(done)](std::optional<store::Issued> issued) {
        TokenResult result =
            issued ? TokenResult(grants::Respond(t->minted, *issued, t->scopes)) : Unavailable();
        Count(result, "client_credentials");
        done(std::move(result));
      });
}

bool TokenService::RefreshAsync(const TokenRequest& request, const Caller& caller,
                                std::function<void(TokenResult)>& done) {
  if (!rotations_) return false;
  auto client = auth_.TryCached(request.credentials, caller);
  if (!client || !Allows(client->client, "refresh_token")) return false;
  auto rotation = grants::PrepareRotation(settings_, caller, *client, request);
  if (!rotation) return false;
  auto minted = std::make_shared<grants::Minted>(std::move(rotation->minted));
  store::RotationRequest write = std::move(rotation->request);
  return rotations_->Submit(
      std::move(write), [this, minted, request, caller, client = std::move(*client),
                         done = std::move(done)](store::Outcome<store::Rotated> outcome) {
        if (outcome.stored()) {
          TokenResult result = grants::RespondRotated(*minted, *outcome.value);
          Count(result, "refresh_token");
          done(std::move(result));
          return;
        }
        if (outcome.status != store::Committed::kSkipped) {
          TokenResult result = Unavailable();
          Count(result, "refresh_token");
          done(std::move(result));
          return;
        }
        // Nothing was written: the full grant decides, on fresh data, off this thread.
        auto job = [this, request, caller, client, done] {
          TokenResult result = [&]() -> TokenResult {
            try {
              GrantContext ctx{db_.Tokens(), db_.Resources(), settings_, caller};
              return grants::RefreshToken(ctx, client, request);
            } catch (const util::ServiceUnavailable& e) {
              observe::Warn("refresh not decided", {{"detail", e.what()}});
              return Unavailable();
            } catch (const std::exception& e) {
              observe::Error("refresh failed", {{"detail", e.what()}});
              return Unavailable();
            }
          }();
          Count(result, "refresh_token");
          done(std::move(result));
        };
        if (!lane_->Post(job)) {
          TokenResult result = Unavailable();
          Count(result, "refresh_token");
          done(std::move(result));
        }
      });
}

TokenResult TokenService::Dispatch(const TokenRequest& request, const Caller& caller) {
  using util::Fail;
  if (!request.grant_type) {
    return Fail(MakeError(ErrorCode::kInvalidRequest, "grant_type is required"));
  }
  const grants::GrantType* grant = grants::FindGrantType(*request.grant_type);
  auto client = auth_.Authenticate(request.credentials, caller);
  if (!client) return Fail(client.error());
  if (!grant) return Fail(MakeError(ErrorCode::kUnsupportedGrantType, "unsupported grant_type"));
  if (!Allows(client.value().client, grant->name)) {
    return Fail(MakeError(ErrorCode::kUnauthorizedClient,
                          "the client is not allowed to use this grant type"));
  }
  return grant->run(ContextFor(caller), client.value(), request);
}

}  // namespace oakgate::oauth
