#include "gateway/oauth/grants/issue.hpp"

#include <chrono>
#include <thread>

#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/access_token.hpp"
#include "gateway/observe/log.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::oauth::grants {

Minted Mint(bool with_refresh, const std::vector<std::string>& access_scopes, int64_t ttl) {
  Minted m;
  m.access_token = NewAccessToken();
  m.stored.access_hash = crypto::ToBytes(crypto::Sha256(m.access_token));
  if (with_refresh) {
    m.refresh_token = NewRefreshToken();
    m.stored.refresh_hash = crypto::ToBytes(crypto::Sha256(m.refresh_token));
  }
  m.stored.access_scopes = access_scopes;
  m.stored.access_ttl_seconds = ttl;
  return m;
}

std::optional<store::Issued> CommitResolved(
    store::Database& db, const Minted& minted,
    const std::function<std::optional<store::Issued>()>& write) {
  try {
    return write();
  } catch (const util::CommitInDoubt& e) {
    observe::Warn("commit in doubt; resolving", {{"detail", e.what()}});
  }
  // Guard dropped the connection; each lookup runs on a fresh one. The database may be on its
  // way down or back up, so ask for a few seconds before giving up.
  for (int attempt = 0;; ++attempt) {
    try {
      if (db.Tokens().AccessTokenStored(minted.stored.access_hash)) {
        observe::Info("commit in doubt took effect; answering with its tokens");
        return store::Issued{0, minted.stored.access_ttl_seconds};
      }
      throw util::ServiceUnavailable("commit in doubt did not take effect; nothing issued");
    } catch (const util::CommitInDoubt&) {
      throw;  // a read cannot be in doubt; never loop on it
    } catch (const util::ServiceUnavailable& e) {
      if (std::string_view(e.what()).find("did not take effect") != std::string_view::npos ||
          attempt >= 20) {
        throw;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

TokenResponse Respond(const Minted& minted, const store::Issued& issued,
                      const std::vector<std::string>& scopes) {
  TokenResponse r;
  r.access_token = minted.access_token;
  r.expires_in = issued.expires_in;
  if (!minted.refresh_token.empty()) r.refresh_token = minted.refresh_token;
  r.scopes = scopes;
  return r;
}

}  // namespace oakgate::oauth::grants
