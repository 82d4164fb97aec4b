// The Python SDK (sdk/python: `oakgate`) and examples/python-basic against the real gateway
// and PostgreSQL: each test starts the gateway, seeds a user, agents, tools, rules and keys,
// then runs a pytest suite with Debian's /usr/bin/python3, passing the base URL and the keys
// through the environment. The example runs from the scratch virtualenv into which
// scripts/sdk-python installed the built wheel ($OAKGATE_SDK_SCRATCH/python; scripts/test
// makes it before ctest).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPython = "/usr/bin/python3";
constexpr const char* kEmail = "pysdk@example.com";
constexpr const char* kPassword = "correct horse battery staple";
const std::string kSource = OAKGATE_SOURCE_DIR;

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct PytestRun {
  int status = -1;  // as pclose gives it: 0 when pytest exited 0 in time
  std::string output;
};

// `/usr/bin/python3 -m pytest TARGET` in DIR with ENV added, stopped after timeout_seconds.
// No bytecode or pytest cache is written into the checkout.
PytestRun RunPytest(const std::string& dir, const std::string& target,
                    const std::map<std::string, std::string>& env, int timeout_seconds = 240) {
  std::string cmd = "cd " + Quote(dir) + " && PYTHONDONTWRITEBYTECODE=1";
  for (const auto& [name, value] : env) cmd += " " + name + "=" + Quote(value);
  cmd += " timeout " + std::to_string(timeout_seconds) + " " + kPython +
         " -m pytest -v -p no:cacheprovider " + Quote(target) + " 2>&1";
  PytestRun run;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return run;
  char buf[4096];
  while (fgets(buf, sizeof(buf), p)) run.output += buf;
  run.status = pclose(p);
  return run;
}

class PythonSdkE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>();
    gw_ = std::make_unique<GatewayProcess>(db_->url());
    CreateUser(*gw_, kEmail, kPassword);
    std::string user_id =
        db_->Scalar(std::string("SELECT id FROM users WHERE email = '") + kEmail + "'");
    CreateClient(*gw_, "oakgate-python", "http://127.0.0.1/callback", {"--scopes", "keys agents"});
    token_ = IssueTestAccessToken(db_->url(), "oakgate-python", user_id, "keys agents");
  }

  // Runs the suite and expects every test in it to pass (none skipped or deselected).
  void ExpectPasses(const std::string& dir, const std::string& target,
                    std::map<std::string, std::string> env) {
    env.emplace("OAKGATE_URL", "http://127.0.0.1:" + std::to_string(gw_->port()));
    env.emplace("OAKGATE_ACCESS_TOKEN", token_);
    PytestRun run = RunPytest(dir, target, env);
    EXPECT_EQ(run.status, 0) << run.output << "\n--- gateway ---\n" << gw_->Logs();
    std::smatch summary;
    EXPECT_TRUE(std::regex_search(run.output, summary, std::regex(R"(=+ (\d+) passed in )")))
        << "pytest did not report a clean pass:\n"
        << run.output;
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<GatewayProcess> gw_;
  std::string token_;
};

TEST_F(PythonSdkE2E, ClientsValidateGuardAndRaiseTheRightErrorsAndDecisionsAreLogged) {
  SeededAgent agent =
      SeedAgent(gw_->port(), token_, "py-agent", {{"github", {"read", "write", "admin"}}},
                {{"github", "read", "none"}, {"github", "admin", "hard"}});
  SeededAgent limited = SeedAgent(gw_->port(), token_, "py-limited", {{"github", {"read"}}},
                                  {{"github", "read", "none"}}, 1, 1);
  ExpectPasses(kSource + "/sdk/python", "tests/e2e",
               {{"OAKGATE_API_KEY", agent.key},
                {"OAKGATE_AGENT_ID", agent.id},
                {"OAKGATE_LIMITED_KEY", limited.key}});
}

TEST_F(PythonSdkE2E, ExampleRunsFromAScratchVirtualenvWithTheInstalledWheel) {
  const char* scratch = std::getenv("OAKGATE_SDK_SCRATCH");
  const std::string project = scratch ? std::string(scratch) + "/python" : "";
  ASSERT_TRUE(scratch && std::filesystem::exists(project + "/venv/bin/python"))
      << "OAKGATE_SDK_SCRATCH/python must be the scratch project of scripts/sdk-python "
         "(scripts/test makes it: scripts/sdk-python \"$OAKGATE_SDK_SCRATCH/python\")";
  SeededAgent agent = SeedAgent(gw_->port(), token_, "py-examples", {{"github", {"read", "write"}}},
                                {{"github", "read", "none"}});
  ExpectPasses(kSource + "/tests/e2e/python", "test_examples.py",
               {{"OAKGATE_PY_SCRATCH", project},
                {"OAKGATE_API_KEY", agent.key},
                {"OAKGATE_AGENT_ID", agent.id}});
}

}  // namespace
}  // namespace oakgate::test
