#pragma once
// client_credentials (RFC 6749 §4.4) up to its write, so the token service can store the
// token on a worker (grants::ClientCredentials) or hand it to the TokenWriter.
#include <string>
#include <vector>

#include "gateway/oauth/grants/grant.hpp"
#include "gateway/oauth/grants/issue.hpp"

namespace oakgate::oauth::grants {

struct ClientCredentialsToken {
  Minted minted;
  std::vector<std::string> scopes;      // granted
  store::ClientCredentialsIssue write;  // what to store: the token's hash and its audit event
};

// Checks the request and mints the token. Reads the database only to resolve `resource`
// values: a request without any is answered from memory.
util::Result<ClientCredentialsToken, OAuthError> PrepareClientCredentials(
    const GrantContext& ctx, const AuthenticatedClient& client, const TokenRequest& request);

}  // namespace oakgate::oauth::grants
