#include "tests/support/teams.hpp"

#include <mutex>
#include <set>
#include <stdexcept>

#include "tests/support/api_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {

TeamUser MakeTeamUser(const std::map<std::string, std::string>& env,
                      const std::string& database_url, const std::string& email) {
  // The client is registered once per database.
  static std::mutex mu;
  static std::set<std::string> registered;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (registered.insert(database_url).second) CreateTestClient(env, "teams-client");
  }
  TeamUser u;
  u.email = email;
  u.id = CreateTestUser(env, email);
  u.token = IssueTestAccessToken(database_url, "teams-client", u.id, "agents keys");
  return u;
}

std::string MakeOrg(int port, const TeamUser& owner, const std::string& name,
                    const std::string& slug) {
  auto r = CallApi(port, "POST", "/api/v1/orgs", owner.token, {{"name", name}, {"slug", slug}});
  if (r.status != 201) throw std::runtime_error("org create answered " + r.raw.body);
  return r.body["id"];
}

std::string InvitationToken(const std::string& invite_url) {
  return invite_url.substr(invite_url.rfind('/') + 1);
}

HttpResponse SignUp(int port, const std::string& email, const std::string& password,
                    const std::string& invitation, const std::string& source_address) {
  std::string target = "/web/signup";
  if (!invitation.empty()) target += "?invitation=" + UrlEncode(invitation);
  HttpResponse page = Fetch(port, "GET", target, {}, "", source_address);
  std::string cookie;
  for (const auto& [name, value] : page.SetCookies()) {
    if (name.find("oakgate_csrf") != std::string::npos) cookie = name + "=" + value;
  }
  std::string body = FormEncode({{"csrf", HiddenField(page.body, "csrf")},
                                 {"return_to", HiddenField(page.body, "return_to")},
                                 {"invitation", HiddenField(page.body, "invitation")},
                                 {"email", email},
                                 {"password", password}});
  return Fetch(port, "POST", "/web/signup",
               {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookie}}, body,
               source_address);
}

}  // namespace oakgate::test
