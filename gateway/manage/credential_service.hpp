#pragma once
// A user's own credentials other than API keys (issue 9's credentials page): their browser
// sessions and their OAuth grants (token families), each ended one at a time or all at once,
// and the dashboard's one-time reveal slot of a new API key. Only the user themselves, signed
// in to the dashboard (or the operator acting for them), manages these: an access token, of
// whatever scope, cannot end its user's sessions or revoke their grants.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/manage/domain_error.hpp"
#include "gateway/manage/principal.hpp"
#include "gateway/store/session_store.hpp"
#include "gateway/store/token_store.hpp"
#include "gateway/store/user_store.hpp"

namespace oakgate::manage {

struct Credentials {
  std::vector<store::SessionInfo> sessions;  // live, most recently seen first
  std::vector<store::Grant> grants;          // live, newest first
};

class CredentialService {
 public:
  CredentialService(store::SessionStore& sessions, store::TokenStore& tokens,
                    store::UserStore& users)
      : sessions_(sessions), tokens_(tokens), users_(users) {}
  Outcome<Credentials> List(const Principal& who);
  // Not found when the session is not the principal's or has ended.
  Outcome<Done> EndSession(const Principal& who, int64_t session_id);
  // Not found when the grant is not the principal's or is revoked already.
  Outcome<Done> RevokeGrant(const Principal& who, int64_t family_id);
  // Ends every session and revokes every grant of the principal, in one transaction.
  Outcome<Done> SignOutEverywhere(const Principal& who);
  // Takes (reads and empties) the reveal slot of `key_id` in the principal's session
  // `session_id`: what KeyService::Issue sealed there, or nothing when it was taken already or
  // is too old. The slot is bound to the session, so only that session's cookie opens it.
  Outcome<std::optional<std::string>> TakeKeyReveal(const Principal& who, int64_t session_id,
                                                    std::string_view key_id);

 private:
  store::SessionStore& sessions_;
  store::TokenStore& tokens_;
  store::UserStore& users_;
};

}  // namespace oakgate::manage
