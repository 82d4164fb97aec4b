#pragma once
// Opaque OAuth tokens, stored only by their SHA-256. The OAuth issue extends this interface
// with issuing, rotation and revocation; FindActiveAccessToken is what every resource-facing
// check (introspection, the management API) needs.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oakgate::store {

struct AccessToken {
  int64_t id = 0;
  int64_t family_id = 0;
  std::string client_id;
  std::optional<std::string> user_id;  // absent for client credentials
  std::string username;                // the user's email, "" without a user
  std::vector<std::string> scopes;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;
  // The access token with this hash when it is unexpired, not revoked, its family not
  // revoked and its user (if any) not disabled; nullopt otherwise.
  virtual std::optional<AccessToken> FindActiveAccessToken(std::string_view token_hash) = 0;
};

}  // namespace oakgate::store
