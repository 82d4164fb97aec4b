#pragma once
// Organizations, invitations and sign-up over HTTP for e2e tests (CONTRACT §9).
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/http_client.hpp"

namespace oakgate::test {

// A user made with `oakgate user create` and an access token (scopes agents and keys) for it.
struct TeamUser {
  std::string id;
  std::string email;
  std::string token;
};
TeamUser MakeTeamUser(const std::map<std::string, std::string>& env,
                      const std::string& database_url, const std::string& email);

// POST /api/v1/orgs as `owner`; returns the organization's id (the call's failure throws).
std::string MakeOrg(int port, const TeamUser& owner, const std::string& name,
                    const std::string& slug);

// The token of an invite_url (its last path segment).
std::string InvitationToken(const std::string& invite_url);

// GET /web/signup[?invitation=...] and POST its form as a browser would (CSRF cookie and
// token from the page); the POST's answer.
HttpResponse SignUp(int port, const std::string& email, const std::string& password,
                    const std::string& invitation = "", const std::string& source_address = "");

}  // namespace oakgate::test
