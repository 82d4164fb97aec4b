// What the audit trail records, and that it records it with the change (security.md G11): the
// CLI's client and user commands (actor `cli`), sign-in, its failure and sign-out, and the
// OAuth events, each written in the transaction of the change it describes, so a change whose
// event cannot be written does not happen.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;
constexpr const char* kPassword = "correct horse battery staple";

class AuditTrailE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url());
    CreateUser(*gw_, "ada@example.com", kPassword);
    app_ = new TestClient(CreateClient(*gw_, "app", "https://app.example/cb", {"--first-party"}));
  }
  static void TearDownTestSuite() {
    delete app_;
    delete gw_;
    delete db_;
  }
  static std::map<std::string, std::string> Env() { return {{"OAKGATE_DATABASE_URL", db_->url()}}; }
  static CommandResult Cli(const std::vector<std::string>& args, const std::string& input = "") {
    return RunOakgate(args, Env(), input);
  }
  // How many events of `type` match `where` (SQL over audit_events).
  static int Events(const std::string& type, const std::string& where = "true") {
    return std::stoi(
        db_->Scalar("SELECT count(*) FROM audit_events WHERE type = '" + type + "' AND " + where));
  }
  static std::string UserId(const std::string& email) {
    return db_->Scalar("SELECT id FROM users WHERE email = '" + email + "'");
  }
  // Makes every INSERT of an event of `type` fail, as a full disk or a bug would.
  static void RefuseEvents(const std::string& type) {
    db_->Scalar("ALTER TABLE audit_events ADD CONSTRAINT refuse_" + Name(type) +
                " CHECK (type <> '" + type + "') NOT VALID");
  }
  static void AcceptEvents(const std::string& type) {
    db_->Scalar("ALTER TABLE audit_events DROP CONSTRAINT refuse_" + Name(type));
  }
  static std::string Name(std::string type) {
    for (char& c : type) c = c == '.' ? '_' : c;
    return type;
  }
  static std::string Grant() {
    std::string session = LoginSession(gw_->port(), "ada@example.com", kPassword);
    Pkce pkce = NewPkce();
    std::string code = AuthorizeCode(gw_->port(), *app_, session, pkce);
    auto r = RedeemCode(gw_->port(), *app_, code, pkce.verifier);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).value("access_token", "");
  }

  static TestDatabase* db_;
  static GatewayProcess* gw_;
  static TestClient* app_;
};

TestDatabase* AuditTrailE2E::db_ = nullptr;
GatewayProcess* AuditTrailE2E::gw_ = nullptr;
TestClient* AuditTrailE2E::app_ = nullptr;

TEST_F(AuditTrailE2E, EachCliClientAndUserCommandWritesItsEventAsCli) {
  auto created = Cli({"client", "create", "--id", "cli-made", "--name", "Made", "--confidential",
                      "--grant-types", "client_credentials"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_EQ(Cli({"client", "update", "--id", "cli-made", "--name", "Renamed"}).exit_code, 0);
  ASSERT_EQ(Cli({"client", "rotate-secret", "--id", "cli-made", "--grace", "60"}).exit_code, 0);
  ASSERT_EQ(Cli({"client", "delete", "--id", "cli-made"}).exit_code, 0);
  for (const char* type :
       {"client.created", "client.updated", "client.secret_rotated", "client.deleted"}) {
    EXPECT_EQ(Events(type, "actor = 'cli' AND client_id = 'cli-made'"), 1) << type;
  }
  // Never the secret: the create and rotate answers carried one, the events do not.
  std::string secret = json::parse(created.out).value("client_secret", "");
  ASSERT_FALSE(secret.empty());
  EXPECT_EQ(
      db_->Scalar("SELECT count(*) FROM audit_events WHERE details::text LIKE '%" + secret + "%'"),
      "0");

  ASSERT_EQ(Cli({"user", "create", "--email", "grace@example.com", "--password-stdin"},
                "first password\n")
                .exit_code,
            0);
  ASSERT_EQ(Cli({"user", "set-password", "--email", "grace@example.com", "--password-stdin"},
                "second password\n")
                .exit_code,
            0);
  ASSERT_EQ(Cli({"user", "disable", "--email", "grace@example.com"}).exit_code, 0);
  std::string grace = UserId("grace@example.com");
  for (const char* type : {"user.created", "user.password_set", "user.disabled"}) {
    EXPECT_EQ(Events(type, "actor = 'cli' AND user_id = '" + grace + "'"), 1) << type;
  }
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM audit_events WHERE details::text LIKE '%password%'"
                        " AND type LIKE 'user.%'"),
            "0");
  // Nothing changed, nothing recorded.
  EXPECT_EQ(Cli({"client", "delete", "--id", "cli-made"}).exit_code, 1);
  EXPECT_EQ(Events("client.deleted", "client_id = 'cli-made'"), 1);
}

TEST_F(AuditTrailE2E, SignInItsFailureAndSignOutAreEvents) {
  const std::string from = "127.0.0.61";
  std::string ada = UserId("ada@example.com");
  auto form = FetchLoginForm(gw_->port(), "", from);
  EXPECT_EQ(PostLogin(gw_->port(), form, "ada@example.com", "wrong", "", from).status, 401);
  EXPECT_EQ(Events("session.sign_in_failed",
                   "user_id = '" + ada + "' AND client_address = '" + from + "'"),
            1);
  // An unknown account's failure is recorded too, in nobody's trail.
  EXPECT_EQ(PostLogin(gw_->port(), form, "nobody@example.com", "wrong", "", from).status, 401);
  EXPECT_EQ(Events("session.sign_in_failed", "user_id IS NULL AND client_address = '" + from + "'"),
            1);

  int before = Events("session.signed_in", "user_id = '" + ada + "'");
  std::string cookie = LoginSession(gw_->port(), "ada@example.com", kPassword);
  EXPECT_EQ(Events("session.signed_in", "user_id = '" + ada + "'"), before + 1);
  auto home = Fetch(gw_->port(), "GET", "/", {{"Cookie", cookie}});
  ASSERT_EQ(home.status, 200);
  auto out = Fetch(gw_->port(), "POST", "/web/logout",
                   {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookie}},
                   "csrf=" + UrlEncode(HiddenField(home.body, "csrf")));
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(Events("session.signed_out", "user_id = '" + ada + "' AND actor = 'user:" + ada + "'"),
            1);
  // No password, typed or right, ever reaches the trail.
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM audit_events WHERE details::text LIKE '%" +
                        std::string(kPassword) + "%' OR details::text LIKE '%wrong%'"),
            "0");
}

TEST_F(AuditTrailE2E, OAuthEventsNameTheChangeTheyCommittedWith) {
  std::string token = Grant();
  ASSERT_FALSE(token.empty());
  // The token's family is the subject of its event, written by the redemption itself.
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM audit_events e JOIN access_tokens t"
                        " ON e.subject = 'family:' || t.family_id WHERE e.type ="
                        " 'oauth.token_issued' AND t.token_hash = sha256('" +
                        token + "'::bytea)"),
            "1");
  EXPECT_GE(Events("oauth.authorized", "client_id = 'app'"), 1);
  auto revoked = PostForm(gw_->port(), "/oauth/revoke", {{"token", token}, {"client_id", "app"}});
  EXPECT_EQ(revoked.status, 200);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM audit_events e JOIN access_tokens t"
                        " ON e.subject = 'access_token:' || t.id WHERE e.type ="
                        " 'oauth.token_revoked' AND t.token_hash = sha256('" +
                        token + "'::bytea) AND t.revoked_at IS NOT NULL"),
            "1");
  // Revoking it again changes nothing and records nothing.
  EXPECT_EQ(PostForm(gw_->port(), "/oauth/revoke", {{"token", token}, {"client_id", "app"}}).status,
            200);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM audit_events e JOIN access_tokens t"
                        " ON e.subject = 'access_token:' || t.id WHERE t.token_hash = sha256('" +
                        token + "'::bytea)"),
            "1");
}

// Each change, tried while its event cannot be written: it must not happen either.
TEST_F(AuditTrailE2E, AChangeWhoseEventCannotBeWrittenDoesNotHappen) {
  struct Case {
    std::string what;
    std::string event;
    std::function<bool()> act;           // true when the action reported success
    std::function<std::string()> state;  // what the change would alter
  };
  std::string token = Grant();
  const std::vector<Case> cases = {
      {"revocation", "oauth.token_revoked",
       [&] {
         return PostForm(gw_->port(), "/oauth/revoke", {{"token", token}, {"client_id", "app"}})
                    .status == 200;
       },
       [&] {
         return db_->Scalar(
             "SELECT revoked_at IS NULL FROM access_tokens WHERE token_hash ="
             " sha256('" +
             token + "'::bytea)");
       }},
      {"code redemption", "oauth.token_issued",
       [&] {
         std::string session = LoginSession(gw_->port(), "ada@example.com", kPassword);
         Pkce pkce = NewPkce();
         std::string code = AuthorizeCode(gw_->port(), *app_, session, pkce);
         return RedeemCode(gw_->port(), *app_, code, pkce.verifier).status == 200;
       },
       [] { return db_->Scalar("SELECT count(*) FROM token_families"); }},
      {"sign-in", "session.signed_in",
       [] {
         auto form = FetchLoginForm(gw_->port());
         return PostLogin(gw_->port(), form, "ada@example.com", kPassword).status == 303;
       },
       [] { return db_->Scalar("SELECT count(*) FROM sessions"); }},
      {"client delete", "client.deleted",
       [] {
         return Cli({"client", "delete", "--id", "app"}).exit_code == 0;
       },
       [] { return db_->Scalar("SELECT count(*) FROM clients WHERE id = 'app'"); }},
      {"user set-password", "user.password_set",
       [] {
         return Cli({"user", "set-password", "--email", "ada@example.com", "--password-stdin"},
                    "another password\n")
                    .exit_code == 0;
       },
       [] {
         return db_->Scalar("SELECT password_hash FROM users WHERE email = 'ada@example.com'");
       }},
  };
  for (const Case& c : cases) {
    std::string before = c.state();
    int events = Events(c.event);
    RefuseEvents(c.event);
    bool done = c.act();
    AcceptEvents(c.event);
    EXPECT_FALSE(done) << c.what << " answered success without its event";
    EXPECT_EQ(c.state(), before) << c.what << " happened without its event";
    EXPECT_EQ(Events(c.event), events) << c.what;
  }
  // And with the trail writable again, each works.
  int revocations = Events("oauth.token_revoked");
  EXPECT_EQ(PostForm(gw_->port(), "/oauth/revoke", {{"token", token}, {"client_id", "app"}}).status,
            200);
  EXPECT_EQ(Events("oauth.token_revoked"), revocations + 1);
}

}  // namespace
}  // namespace oakgate::test
