#pragma once
// Access tokens straight into the database, for tests of the management API while the token
// endpoint is built elsewhere: a token family and an access token row with
// token_hash = SHA-256(token), exactly as the token endpoint will store them. The bearer
// authentication under test (lookup by hash, expiry, revocation, scopes) is the real one.
#include <map>
#include <string>

namespace oakgate::test {

// Registers a public client with `oakgate client create` (once per id and database).
void CreateTestClient(const std::map<std::string, std::string>& env, const std::string& client_id);
// Creates a user with `oakgate user create`; returns its id.
std::string CreateTestUser(const std::map<std::string, std::string>& env, const std::string& email);
// "oat_" + 43 base64url characters, stored for the user with these space-separated scopes;
// a negative ttl gives a token that has already expired.
std::string IssueTestAccessToken(const std::string& database_url, const std::string& client_id,
                                 const std::string& user_id, const std::string& scopes,
                                 int ttl_seconds = 3600);

}  // namespace oakgate::test
