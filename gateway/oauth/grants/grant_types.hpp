#pragma once
// The grant types this server implements (RFC 6749 §4, §6), in one table that drives the token
// endpoint's dispatch, the discovery document's grant_types_supported (RFC 8414), the CLI's
// check of --grant-types and dynamic registration (RFC 7591). A new grant is a file under
// grants/ and a row here.
#include <string>
#include <string_view>
#include <vector>

#include "gateway/oauth/grants/grant.hpp"

namespace oakgate::oauth::grants {

using GrantFn = TokenResult (*)(const GrantContext& ctx, const AuthenticatedClient& client,
                                const TokenRequest& request);

struct GrantType {
  std::string_view name;    // the grant_type value
  GrantFn run;              // answers a request of an authenticated client allowed this grant
  bool confidential_only;   // only for clients that authenticate (RFC 6749 §4.4)
  bool needs_redirect_uri;  // a client with it must register a redirect URI
  bool registrable;         // a dynamically registered (public) client may ask for it
};

const std::vector<GrantType>& GrantTypes();
// nullptr for a grant type this server does not implement.
const GrantType* FindGrantType(std::string_view name);
std::vector<std::string> GrantTypeNames();
// What dynamic registration accepts.
std::vector<std::string> RegistrableGrantTypes();

}  // namespace oakgate::oauth::grants
