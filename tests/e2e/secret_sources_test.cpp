// Secrets from files and systemd credentials (issue 25), end to end: the real binary reads
// each source, and every wrong combination stops it with exit code 2 and a message naming
// the settings involved.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "gateway/config/placeholder_secrets.hpp"
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

// Every secret value written in `text` in a form an operator could copy: an environment or
// shell assignment (`OAKGATE_..SECRET..=v`, also as `KEY: v` in YAML and JS), a key of the
// JSON config file (`"secret": "v"`), or a credential file written with echo or printf.
// Values computed by the shell (`$(openssl rand ...)`) and paths (`..._FILE=`) are not secrets.
std::vector<std::string> SecretValuesIn(const std::string& text) {
  static const std::regex kEnv(
      R"re(\b(OAKGATE_[A-Z0-9_]*SECRET[A-Z0-9_]*)["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9_+/=.~:-]+))re");
  static const std::regex kJson(
      R"re("(secret|secret_previous|legacy_jwt_hs256_secret)"[ \t]*:[ \t]*"([^"$]+)")re");
  static const std::regex kCredential(
      R"re((echo|printf)(?:[ \t]+-\w+)*[ \t]+["']?([A-Za-z0-9_+/=.~:-]+)["']?[ \t]*>+[ \t]*[^ \t\n]*oakgate\.(secret|secret_previous|legacy_jwt_hs256_secret)\b)re");
  std::vector<std::string> found;
  for (const std::regex* re : {&kEnv, &kJson, &kCredential}) {
    for (auto it = std::sregex_iterator(text.begin(), text.end(), *re);
         it != std::sregex_iterator(); ++it) {
      std::string name = (*it)[1].str();
      if (name.size() >= 5 && name.compare(name.size() - 5, 5, "_FILE") == 0) continue;
      found.push_back((*it)[2].str());
    }
  }
  return found;
}

// The files the repository ships to operators and readers: the packaged examples, units and
// site, the documents, the scripts and the SDKs (not the tests, whose secrets are their own).
std::map<std::string, std::string> ShippedFiles() {
  namespace fs = std::filesystem;
  const fs::path root = OAKGATE_SOURCE_DIR;
  std::map<std::string, std::string> files;
  auto add = [&files, &root](const fs::path& p) {
    std::error_code ec;
    if (!fs::is_regular_file(p, ec) || fs::file_size(p, ec) > (1u << 20)) return;
    std::ifstream in(p, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find('\0') == std::string::npos) files[fs::relative(p, root).string()] = text;
  };
  for (const char* top : {"README.md", "docs", "systemd", "packaging", "examples", "nginx",
                          "scripts", "sdk", "templates", "CMakeLists.txt"}) {
    fs::path p = root / top;
    if (!fs::is_directory(p)) {
      add(p);
      continue;
    }
    for (auto it = fs::recursive_directory_iterator(p); it != fs::recursive_directory_iterator();
         ++it) {
      std::string name = it->path().filename().string();
      if (it->is_directory() &&
          (name == "node_modules" || name == "dist" || name == "build" || name == "tests" ||
           name == "test" || name[0] == '.' || name == "__pycache__")) {
        it.disable_recursion_pending();
        continue;
      }
      add(it->path());
    }
  }
  return files;
}

// An operator who copies a secret from the repository's examples or documents serves with a
// CSRF key everyone can read. Every such value must be in the one list the gateway refuses.
TEST_F(SecretSourcesE2E, ASecretCopiedFromTheRepositoryIsNeverServedWith) {
  // The scanner sees each form a secret can be shipped in.
  EXPECT_EQ(SecretValuesIn("OAKGATE_SECRET=abc\nexport OAKGATE_SECRET_PREVIOUS='def'\n"
                           "  OAKGATE_LEGACY_JWT_HS256_SECRET: \"ghi\"\n"
                           "{\"secret\": \"jkl\"}\n"
                           "echo 'mno' > /etc/credstore/oakgate.secret\n"
                           "OAKGATE_SECRET=\"$(cat .data/secret)\" OAKGATE_SECRET_FILE=/run/x\n"
                           "| `OAKGATE_SECRET` | `secret` |\n"),
            (std::vector<std::string>{"abc", "def", "ghi", "jkl", "mno"}));

  std::set<std::string> listed(config::kPlaceholderSecrets.begin(),
                               config::kPlaceholderSecrets.end());
  auto files = ShippedFiles();
  ASSERT_TRUE(files.count("README.md") && files.count("systemd/common.env.example"))
      << "the scan must see the shipped files";
  for (const auto& [path, text] : files) {
    for (const std::string& value : SecretValuesIn(text)) {
      EXPECT_TRUE(listed.count(value))
          << path << " ships the secret \"" << value
          << "\": add it to kPlaceholderSecrets (gateway/config/placeholder_secrets.hpp)";
    }
  }
  // And serve refuses every listed value, as the secret and as the previous one, without
  // printing it.
  for (std::string_view placeholder : config::kPlaceholderSecrets) {
    const std::string value(placeholder);
    for (const auto& [env, key] : std::vector<std::pair<std::string, std::string>>{
             {"OAKGATE_SECRET", "secret:"}, {"OAKGATE_SECRET_PREVIOUS", "secret_previous:"}}) {
      SCOPED_TRACE(env + "=" + value);
      std::map<std::string, std::string> settings = {{"OAKGATE_SECRET", kSecret}};
      settings[env] = value;
      auto r = Serve(settings);
      EXPECT_EQ(r.exit_code, 2) << r.err;
      EXPECT_NE(r.err.find(key), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("placeholder"), std::string::npos) << r.err;
      EXPECT_EQ(r.err.find(value), std::string::npos) << "the placeholder is never printed";
    }
  }
}

}  // namespace
}  // namespace oakgate::test
