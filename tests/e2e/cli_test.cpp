// The command line of CONTRACT §1: exit codes, JSON output, configuration errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/gateway_process.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

class CliE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_ = new TestDatabase(); }
  static void TearDownTestSuite() { delete db_; }
  static std::map<std::string, std::string> Env() { return {{"OAKGATE_DATABASE_URL", db_->url()}}; }
  static TestDatabase* db_;
};

TestDatabase* CliE2E::db_ = nullptr;

TEST_F(CliE2E, HelpDescribesEveryCommand) {
  auto r = RunOakgate({"--help"}, {});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"serve", "migrate", "client", "user", "apikey", "prune"}) {
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
  }
  EXPECT_EQ(RunOakgate({"client", "create", "--help"}, {}).exit_code, 0);
}

TEST_F(CliE2E, BadUsageExitsTwo) {
  EXPECT_EQ(RunOakgate({}, {}).exit_code, 2);
  EXPECT_EQ(RunOakgate({"frobnicate"}, {}).exit_code, 2);
  EXPECT_EQ(RunOakgate({"client", "create", "--name", "x"}, Env()).exit_code, 2);
  auto r = RunOakgate({"client", "create", "--id", "pub", "--name", "P", "--redirect-uri",
                       "http://127.0.0.1/cb", "--grant-types", "client_credentials"},
                      Env());
  EXPECT_EQ(r.exit_code, 2) << "client_credentials needs a confidential client";
}

TEST_F(CliE2E, ConfigurationErrorsExitTwoNamingTheKey) {
  char path[] = "/tmp/oakgate-cli-config.XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  std::ofstream(path) << R"({"database_url": "postgresql:///x", "unknown_key": 1})";
  auto r = RunOakgate({"migrate", "--status"}, {{"OAKGATE_CONFIG", path}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown_key"), std::string::npos) << r.err;
  std::ofstream(path) << "{not json";
  EXPECT_EQ(RunOakgate({"migrate"}, {{"OAKGATE_CONFIG", path}}).exit_code, 2);
  unlink(path);
  auto bad_ttl =
      RunOakgate({"migrate"}, {{"OAKGATE_DATABASE_URL", db_->url()}, {"OAKGATE_CODE_TTL", "soon"}});
  EXPECT_EQ(bad_ttl.exit_code, 2);
  EXPECT_NE(bad_ttl.err.find("code_ttl"), std::string::npos);
  auto no_secret = RunOakgate({"serve"}, Env());
  EXPECT_EQ(no_secret.exit_code, 2);
  EXPECT_NE(no_secret.err.find("secret"), std::string::npos);
  EXPECT_EQ(RunOakgate({"migrate"}, {}).exit_code, 2) << "database_url is required";
}

TEST_F(CliE2E, MigrateAppliesOnceAndReportsStatus) {
  auto first = RunOakgate({"migrate"}, Env());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto second = RunOakgate({"migrate"}, Env());
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_NE(second.out.find("up to date"), std::string::npos);
  auto status = RunOakgate({"migrate", "--status"}, Env());
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_NE(status.out.find("applied  0001_init.sql"), std::string::npos) << status.out;
  EXPECT_EQ(status.out.find("pending"), std::string::npos);
}

TEST_F(CliE2E, ClientLifecycle) {
  ASSERT_EQ(RunOakgate({"migrate"}, Env()).exit_code, 0);
  auto pub =
      RunOakgate({"client", "create", "--id", "cli-app", "--name", "CLI", "--redirect-uri",
                  "http://127.0.0.1:8989/callback", "--first-party", "--scopes", "keys agents"},
                 Env());
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  auto j = nlohmann::json::parse(pub.out);
  EXPECT_EQ(j["id"], "cli-app");
  EXPECT_FALSE(j.contains("client_secret"));
  EXPECT_EQ(j["grant_types"], nlohmann::json::array({"authorization_code", "refresh_token"}));

  auto conf = RunOakgate({"client", "create", "--id", "web-app", "--name", "Web", "--redirect-uri",
                          "https://app.example/cb", "--confidential", "--introspect",
                          "--grant-types", "authorization_code refresh_token client_credentials"},
                         Env());
  ASSERT_EQ(conf.exit_code, 0) << conf.err;
  std::string secret = nlohmann::json::parse(conf.out)["client_secret"];
  EXPECT_GE(secret.size(), 43u);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM clients WHERE secret_hash = sha256('" + secret +
                        "'::bytea)"),
            "1")
      << "only the SHA-256 of the secret is stored";

  EXPECT_EQ(RunOakgate({"client", "create", "--id", "web-app", "--name", "Dup", "--redirect-uri",
                        "https://app.example/cb"},
                       Env())
                .exit_code,
            1);
  // RFC 9700 §2.6: plain http only for loopback redirect URIs; a fragment never.
  for (const char* bad : {"http://app.example/cb", "HTTP://intranet:8080/cb",
                          "https://app.example/cb#frag", "cb", "https://"}) {
    EXPECT_EQ(
        RunOakgate({"client", "create", "--id", "bad-uri", "--name", "Bad", "--redirect-uri", bad},
                   Env())
            .exit_code,
        2)
        << bad;
  }
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM clients WHERE id = 'bad-uri'"), "0");
  auto list = RunOakgate({"client", "list"}, Env());
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_EQ(list.out.find(secret), std::string::npos) << "secrets are never printed again";
  EXPECT_EQ(nlohmann::json::parse(list.out).size(), 2u);

  auto upd = RunOakgate(
      {"client", "update", "--id", "cli-app", "--name", "Renamed", "--first-party", "false"},
      Env());
  ASSERT_EQ(upd.exit_code, 0) << upd.err;
  EXPECT_EQ(nlohmann::json::parse(upd.out)["name"], "Renamed");
  EXPECT_EQ(nlohmann::json::parse(upd.out)["first_party"], false);

  auto rot = RunOakgate({"client", "rotate-secret", "--id", "web-app", "--grace", "60"}, Env());
  ASSERT_EQ(rot.exit_code, 0) << rot.err;
  EXPECT_NE(nlohmann::json::parse(rot.out)["client_secret"], secret);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM clients WHERE previous_secret_hash = sha256('" +
                        secret + "'::bytea) AND previous_secret_expires_at > now()"),
            "1");

  EXPECT_EQ(RunOakgate({"client", "delete", "--id", "cli-app"}, Env()).exit_code, 0);
  EXPECT_EQ(RunOakgate({"client", "delete", "--id", "cli-app"}, Env()).exit_code, 1);
}

TEST_F(CliE2E, UserLifecycle) {
  ASSERT_EQ(RunOakgate({"migrate"}, Env()).exit_code, 0);
  auto gen = RunOakgate({"user", "create", "--email", "gen@example.com"}, Env());
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  auto j = nlohmann::json::parse(gen.out);
  EXPECT_EQ(j["email"], "gen@example.com");
  EXPECT_FALSE(j["id"].get<std::string>().empty());
  EXPECT_GE(j["password"].get<std::string>().size(), 20u);
  std::string hash = db_->Scalar("SELECT password_hash FROM users WHERE email = 'gen@example.com'");
  EXPECT_EQ(hash.rfind("scrypt$32768$8$3$", 0), 0u) << "parameters are stored with the hash";

  auto stdin_user = RunOakgate({"user", "create", "--email", "In@Example.com", "--password-stdin"},
                               Env(), "read from stdin at last\n");
  ASSERT_EQ(stdin_user.exit_code, 0);
  EXPECT_FALSE(nlohmann::json::parse(stdin_user.out).contains("password"));
  EXPECT_EQ(RunOakgate({"user", "create", "--email", "in@example.com", "--password-stdin"}, Env(),
                       "another good password\n")
                .exit_code,
            1)
      << "emails are unique regardless of case";
  EXPECT_EQ(RunOakgate({"user", "create", "--email", "not-an-email"}, Env()).exit_code, 2);
  EXPECT_EQ(RunOakgate({"user", "set-password", "--email", "in@example.com", "--password-stdin"},
                       Env(), "a new long password\n")
                .exit_code,
            0);
  EXPECT_EQ(RunOakgate({"user", "disable", "--email", "in@example.com"}, Env()).exit_code, 0);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM users WHERE email_normalized = 'in@example.com' AND "
                        "disabled_at IS NOT NULL"),
            "1");
  EXPECT_EQ(RunOakgate({"user", "disable", "--email", "nobody@example.com"}, Env()).exit_code, 1);
}

TEST_F(CliE2E, UnreachableDatabaseExitsOne) {
  auto r = RunOakgate({"client", "list"},
                      {{"OAKGATE_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(r.err.empty());
}

TEST_F(CliE2E, AnOperatorCannotGiveAUserAWeakPasswordEither) {
  ASSERT_EQ(RunOakgate({"migrate"}, Env()).exit_code, 0);
  struct Case {
    const char* password;
    const char* names;
  };
  for (const Case& c :
       {Case{"short pass", "at least 12 characters"}, Case{"Weak.User@Example.com", "email"},
        Case{"UNBELIEVABLE", "most common"}}) {
    auto r = RunOakgate({"user", "create", "--email", "weak.user@example.com", "--password-stdin"},
                        Env(), std::string(c.password) + "\n");
    EXPECT_EQ(r.exit_code, 2) << c.password;
    EXPECT_NE(r.err.find(c.names), std::string::npos) << r.err;
  }
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM users WHERE email_normalized = "
                        "'weak.user@example.com'"),
            "0")
      << "no user was made with a refused password";

  ASSERT_EQ(RunOakgate({"user", "create", "--email", "weak.user@example.com", "--password-stdin"},
                       Env(), "a perfectly fine password\n")
                .exit_code,
            0);
  std::string hash = db_->Scalar(
      "SELECT password_hash FROM users WHERE email_normalized = 'weak.user@example.com'");
  auto refused =
      RunOakgate({"user", "set-password", "--email", "weak.user@example.com", "--password-stdin"},
                 Env(), "weak.user\n");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("password refused"), std::string::npos) << refused.err;
  EXPECT_EQ(db_->Scalar("SELECT password_hash FROM users WHERE email_normalized = "
                        "'weak.user@example.com'"),
            hash)
      << "set-password with a refused password changes nothing";
}

}  // namespace
}  // namespace oakgate::test
