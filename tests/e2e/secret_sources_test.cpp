// Secrets from files and systemd credentials (issue 25), end to end: the real binary reads
// each source, and every wrong combination stops it with exit code 2 and a message naming
// the settings involved.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kSecret = "file-secret-0123456789abcdefghijklmnopqrstuvwxyz";

class SecretSourcesE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_ = new TestDatabase(); }
  static void TearDownTestSuite() { delete db_; }
  void SetUp() override {
    char dir[] = "/tmp/oakgate-secrets-test.XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { (void)std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::string Write(const std::string& name, const std::string& text, mode_t mode = 0600) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
  // `oakgate serve` that must stop at once: its exit code and stderr.
  CommandResult Serve(std::map<std::string, std::string> env) {
    env.emplace("OAKGATE_DATABASE_URL", db_->url());
    env.emplace("OAKGATE_LISTEN", "127.0.0.1:" + std::to_string(FreePort()));
    return RunOakgate({"serve"}, env);
  }

  static TestDatabase* db_;
  std::string dir_;
};

TestDatabase* SecretSourcesE2E::db_ = nullptr;

TEST_F(SecretSourcesE2E, TheSecretFromAFileServes) {
  GatewayProcess gw(db_->url(),
                    {{"OAKGATE_SECRET", ""},
                     {"OAKGATE_SECRET_FILE", Write("secret", kSecret + std::string("\n"))}});
  EXPECT_EQ(Fetch(gw.port(), "GET", "/readyz").status, 200);
}

TEST_F(SecretSourcesE2E, TheSecretFromASystemdCredentialServes) {
  Write("oakgate.secret", kSecret, 0400);
  GatewayProcess gw(db_->url(), {{"OAKGATE_SECRET", ""}, {"CREDENTIALS_DIRECTORY", dir_}});
  EXPECT_EQ(Fetch(gw.port(), "GET", "/readyz").status, 200);
}

TEST_F(SecretSourcesE2E, TheDatabasePasswordFromAFileIsUsedByMigrate) {
  // The test cluster trusts local connections, so any password works: this shows the URL
  // with the password added still connects.
  auto r =
      RunOakgate({"migrate"}, {{"OAKGATE_DATABASE_URL", db_->url()},
                               {"OAKGATE_DATABASE_PASSWORD_FILE", Write("pw", "p@ss w'rd\n")}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(SecretSourcesE2E, EveryWrongCombinationStopsWithExitTwoNamingTheSettings) {
  std::string good = Write("good", kSecret);
  std::string open = Write("open", kSecret, 0644);
  std::string empty = Write("empty", "\n");
  std::string cred_dir = dir_ + "/creds";
  ::mkdir(cred_dir.c_str(), 0700);
  std::ofstream(cred_dir + "/oakgate.secret") << kSecret;
  ::chmod((cred_dir + "/oakgate.secret").c_str(), 0400);
  struct Case {
    const char* name;
    std::map<std::string, std::string> env;
    std::vector<std::string> named;
  };
  std::vector<Case> cases = {
      {"value and file",
       {{"OAKGATE_SECRET", kSecret}, {"OAKGATE_SECRET_FILE", good}},
       {"OAKGATE_SECRET)", "OAKGATE_SECRET_FILE"}},
      {"value and credential",
       {{"OAKGATE_SECRET", kSecret}, {"CREDENTIALS_DIRECTORY", cred_dir}},
       {"OAKGATE_SECRET)", "credential oakgate.secret"}},
      {"world-readable file",
       {{"OAKGATE_SECRET_FILE", open}},
       {"secret_file", "readable by everyone"}},
      {"missing file", {{"OAKGATE_SECRET_FILE", dir_ + "/none"}}, {"secret_file", "no such file"}},
      {"empty file", {{"OAKGATE_SECRET_FILE", empty}}, {"secret_file", "is empty"}},
      {"previous: value and file",
       {{"OAKGATE_SECRET", kSecret},
        {"OAKGATE_SECRET_PREVIOUS", kSecret},
        {"OAKGATE_SECRET_PREVIOUS_FILE", good}},
       {"OAKGATE_SECRET_PREVIOUS)", "OAKGATE_SECRET_PREVIOUS_FILE"}},
      {"legacy: value and file",
       {{"OAKGATE_SECRET", kSecret},
        {"OAKGATE_LEGACY_JWT_HS256_SECRET", kSecret},
        {"OAKGATE_LEGACY_JWT_HS256_SECRET_FILE", good}},
       {"OAKGATE_LEGACY_JWT_HS256_SECRET)", "OAKGATE_LEGACY_JWT_HS256_SECRET_FILE"}},
      {"password in the URL and a password file",
       {{"OAKGATE_SECRET", kSecret},
        {"OAKGATE_DATABASE_URL", "postgresql://u:pw@127.0.0.1/db"},
        {"OAKGATE_DATABASE_PASSWORD_FILE", good}},
       {"database_url", "OAKGATE_DATABASE_PASSWORD_FILE"}},
      {"the example file's placeholder",
       {{"OAKGATE_SECRET", "change-me-to-48-random-bytes-in-base64-000000000000"}},
       {"secret:", "placeholder"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = Serve(c.env);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    for (const auto& n : c.named) EXPECT_NE(r.err.find(n), std::string::npos) << n << ": " << r.err;
    EXPECT_EQ(r.err.find(kSecret), std::string::npos) << "the secret itself is never printed";
  }
}

TEST_F(SecretSourcesE2E, NoExampleFileShipsASecretTheGatewayWouldServeWith) {
  // Every OAKGATE_*SECRET* value in the repository's example files is refused as a placeholder.
  std::string src = OAKGATE_SOURCE_DIR;
  std::string cmd = "grep -rhoE 'OAKGATE_[A-Z_]*(SECRET|PASSWORD)[A-Z_]*=[[:alnum:]_+/=.-]+' '" +
                    src + "/systemd' '" + src + "/packaging' '" + src + "/README.md' '" + src +
                    "/docs' 2>/dev/null | grep -v '_FILE=' || true";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char line[1024];
  while (std::fgets(line, sizeof(line), p)) {
    std::string l(line);
    while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.pop_back();
    std::string value = l.substr(l.find('=') + 1);
    if (value.empty()) continue;
    SCOPED_TRACE(l);
    auto r = Serve({{"OAKGATE_SECRET", value}});
    EXPECT_EQ(r.exit_code, 2) << r.err;
  }
  ::pclose(p);
}

}  // namespace
}  // namespace oakgate::test
