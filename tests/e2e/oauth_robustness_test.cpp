// Bad input at the OAuth endpoints is a 4xx with the right body type: never a 500, a crash or
// a hang, and it leaves no code or token behind.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPassword = "correct horse battery staple";

struct Probe {
  std::string method;
  std::string target;
  std::string content_type;
  std::string body;
  std::string authorization;
};

TEST(OAuthRobustnessE2E, GarbageNeverGetsA500AndLeavesNothingBehind) {
  TestDatabase db;
  GatewayProcess gw(db.url());
  CreateUser(gw, "alice@example.com", kPassword);
  CreateClient(gw, "app", "https://app.example/cb", {"--first-party"});
  std::string session = LoginSession(gw.port(), "alice@example.com", kPassword);
  const std::string form = "application/x-www-form-urlencoded";
  const std::string json = "application/json";
  std::string long_value(5000, 'x');
  std::vector<Probe> probes = {
      {"POST", "/oauth/token", form, "grant_type=authorization_code&code=%00&client_id=app", ""},
      {"POST", "/oauth/token", form, "grant_type=authorization_code&code=" + long_value, ""},
      {"POST", "/oauth/token", form, "=x", ""},
      {"POST", "/oauth/token", form, "grant_type=%C3%28", ""},
      {"POST", "/oauth/token", form, "client_id=%00&grant_type=client_credentials", ""},
      {"POST", "/oauth/token", form,
       "client_id=app&grant_type=refresh_token&refresh_token=ort_" + std::string(43, '%'), ""},
      {"POST", "/oauth/token", json,
       "{\"grant_type\":\"refresh_token\",\"client_id\":\"app\","
       "\"refresh_token\":\"\\u0000\"}",
       ""},
      {"POST", "/oauth/token", json, "{\"grant_type\":{\"a\":1}}", ""},
      {"POST", "/oauth/token", json, "{\"grant_type\":null}", ""},
      {"POST", "/oauth/token", json, std::string(1000, '['), ""},
      {"POST", "/oauth/token", json, "\"just a string\"", ""},
      {"POST", "/oauth/token", json, "{\"a\":\"\xff\"}", ""},
      {"POST", "/oauth/token", form, "grant_type=client_credentials", "Basic " + long_value},
      {"POST", "/oauth/token", form, "grant_type=client_credentials", "Basic =="},
      {"POST", "/oauth/token", form, "grant_type=client_credentials", "Bearer abc"},
      {"POST", "/oauth/token", form, "grant_type=client_credentials", "Basic"},
      {"POST", "/oauth/introspect", form, "token=%ff", ""},
      {"POST", "/oauth/introspect", json, "[1,2]", ""},
      {"POST", "/oauth/introspect", form, "token=x&token=y", "Basic eDp5"},
      {"POST", "/oauth/revoke", form, "token=oat_%00", "Basic eDp5"},
      {"POST", "/oauth/revoke", "", "", ""},
      {"POST", "/oauth/revoke", form, "token=" + long_value + "&client_id=app", ""},
      {"GET", "/oauth/token", "", "", ""},
      {"PUT", "/oauth/revoke", "", "", ""},
      {"GET", "/oauth/authorize", "", "", ""},
      {"GET", "/oauth/authorize?client_id=app&client_id=app", "", "", ""},
      {"GET", "/oauth/authorize?client_id=" + long_value, "", "", ""},
      {"GET", "/oauth/authorize?client_id=app&redirect_uri=" + long_value, "", "", ""},
      {"GET", "/oauth/authorize?client_id=app&response_type=code&state=" + long_value, "", "", ""},
      {"GET", "/oauth/authorize?client_id=%00", "", "", ""},
      {"GET", "/oauth/authorize?client_id=app&scope=%ff", "", "", ""},
      {"GET", "/oauth/authorize?client_id=app&&&&", "", "", ""},
      {"POST", "/oauth/authorize", form, "decision=approve", ""},
      {"POST", "/oauth/authorize", form, "decision=approve&decision=deny&client_id=app", ""},
      {"POST", "/oauth/authorize", form, "client_id=app&decision=maybe&csrf=x", ""},
      {"POST", "/oauth/authorize", json, "{}", ""},
      {"GET", "/web/login?return_to=%2Foauth%2Fauthorize%3Fclient_id%3D%2500", "", "", ""},
      {"GET", "/web/login?return_to=%2Foauth%2Fauthorize%3F%25zz", "", "", ""},
      {"GET", "/.well-known/oauth-authorization-server/nope", "", "", ""},
  };
  for (const auto& p : probes) {
    for (bool with_session : {false, true}) {
      std::vector<std::pair<std::string, std::string>> headers;
      if (!p.content_type.empty()) headers.emplace_back("Content-Type", p.content_type);
      if (!p.authorization.empty()) headers.emplace_back("Authorization", p.authorization);
      if (with_session) headers.emplace_back("Cookie", session);
      auto r = Fetch(gw.port(), p.method, p.target, headers, p.body);
      std::string what = p.method + " " + p.target.substr(0, 80) + " " + p.body.substr(0, 80);
      bool html = p.target.rfind("/oauth/authorize", 0) == 0 || p.target.rfind("/web/", 0) == 0;
      // Browser endpoints may answer a page or a redirect (to login, or an error redirect to
      // the verified client); JSON endpoints answer an error.
      if (!html) {
        EXPECT_GE(r.status, 400) << what;
      }
      EXPECT_LT(r.status, 500) << what << ": " << r.body;
      std::string type = r.Header("content-type").value_or("");
      if (r.status != 302 && r.status != 303 && r.status != 200) {
        EXPECT_NE(type.find(html ? "text/html" : "application/json"), std::string::npos)
            << what << " " << type;
      }
    }
  }
  EXPECT_EQ(db.Scalar("SELECT count(*) FROM authorization_codes"), "0");
  EXPECT_EQ(db.Scalar("SELECT count(*) FROM access_tokens"), "0");
  EXPECT_EQ(db.Scalar("SELECT count(*) FROM refresh_tokens"), "0");
  EXPECT_EQ(Fetch(gw.port(), "GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace oakgate::test
