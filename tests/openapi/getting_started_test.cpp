// docs/getting-started.md cannot rot: this suite runs its code blocks, in order, in one shell,
// against a freshly started gateway on a fresh database, and then looks for the decisions they
// made in the log and on the dashboard. Blocks tagged `sh` run as they stand; `js` blocks run
// with node as ES modules that import the TypeScript SDK (`oakgate`) as a user's project
// would; `python` blocks run with Debian's python3 and sdk/python, or are skipped while
// sdk/python does not exist; `sh norun` blocks are what this suite does itself (scripts/dev's
// gateway and demo user, the exports of step 1, installing the SDKs).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

namespace fs = std::filesystem;

const std::string kPage = std::string(OAKGATE_SOURCE_DIR) + "/docs/getting-started.md";
constexpr const char* kDemoEmail = "demo@example.com";
constexpr const char* kDemoPassword = "getting started demo password";

struct Block {
  std::string lang;
  bool norun = false;
  int line = 0;
  std::string code;
};

// Every fenced block of the page, with its info string split into language and flags.
std::vector<Block> ReadBlocks(const std::string& path) {
  std::ifstream in(path);
  std::vector<Block> blocks;
  std::string line;
  int number = 0;
  Block* open = nullptr;
  while (std::getline(in, line)) {
    ++number;
    if (line.rfind("```", 0) == 0) {
      if (open) {
        open = nullptr;
        continue;
      }
      std::istringstream info(line.substr(3));
      Block b;
      info >> b.lang;
      for (std::string flag; info >> flag;) b.norun = b.norun || flag == "norun";
      b.line = number;
      blocks.push_back(b);
      open = &blocks.back();
      continue;
    }
    if (open) open->code += line + "\n";
  }
  return blocks;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string PythonPath() {
  std::string src = std::string(OAKGATE_SOURCE_DIR) + "/sdk/python/src";
  return fs::exists(src + "/oakgate/__init__.py") ? src : "";
}

// Where a `js` block's file goes so that `import "oakgate"` finds the TypeScript SDK: the
// scratch project scripts/test installs the packed SDK into, else a directory whose
// node_modules/oakgate is this checkout's built sdk/typescript. Empty when neither exists.
std::string JsProjectDir(const std::string& scratch_for_link) {
  if (const char* s = std::getenv("OAKGATE_SDK_SCRATCH")) {
    if (fs::exists(std::string(s) + "/node_modules/oakgate/package.json")) return s;
  }
  std::string sdk = std::string(OAKGATE_SOURCE_DIR) + "/sdk/typescript";
  if (!fs::exists(sdk + "/dist/index.js")) return "";
  fs::create_directories(scratch_for_link + "/node_modules");
  fs::create_directory_symlink(sdk, scratch_for_link + "/node_modules/oakgate");
  return scratch_for_link;
}

class GettingStartedE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>();
    gw_ = std::make_unique<GatewayProcess>(db_->url());
    // What scripts/dev sets up besides the gateway: the demo client and the demo user.
    CreateClient(*gw_, "demo-cli", "http://127.0.0.1:8989/callback",
                 {"--first-party", "--scopes", "keys agents"});
    CreateUser(*gw_, kDemoEmail, kDemoPassword);
    char dir[] = "/tmp/oakgate-getting-started.XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    work_ = dir;
  }
  void TearDown() override {
    if (!work_.empty()) fs::remove_all(work_);
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<GatewayProcess> gw_;
  std::string work_;
};

TEST_F(GettingStartedE2E, EveryBlockRunsAndItsDecisionsReachTheLogAndTheDashboard) {
  std::vector<Block> blocks = ReadBlocks(kPage);
  ASSERT_FALSE(blocks.empty()) << "cannot read " << kPage;
  std::string python_path = PythonPath();
  std::string js_dir = JsProjectDir(work_ + "/js");
  ASSERT_FALSE(js_dir.empty())
      << "build the TypeScript SDK first (scripts/test does: scripts/sdk-typescript), or set "
         "OAKGATE_SDK_SCRATCH to a project with it installed";

  // One shell runs the blocks in order, so the variables one block sets serve the next.
  std::string script = "set -euo pipefail\ncd " + Quote(OAKGATE_SOURCE_DIR) + "\n";
  int sh = 0, js = 0, python = 0, python_skipped = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const Block& b = blocks[i];
    if (b.norun) continue;
    std::string where = "docs/getting-started.md:" + std::to_string(b.line);
    if (b.lang == "sh") {
      ++sh;
      script += "echo '--- " + where + " (sh)'\n" + b.code;
    } else if (b.lang == "js") {
      ++js;
      std::string file = js_dir + "/getting-started-" + std::to_string(b.line) + ".mjs";
      script += "echo '--- " + where + " (js)'\ncat > " + Quote(file) + " <<'OAKGATE_BLOCK_END'\n" +
                b.code + "OAKGATE_BLOCK_END\nnode " + Quote(file) + "\nrm -f " + Quote(file) + "\n";
    } else if (b.lang == "python") {
      if (python_path.empty()) {
        ++python_skipped;
        continue;
      }
      ++python;
      script += "echo '--- " + where + " (python)'\nPYTHONPATH=" + Quote(python_path) +
                " /usr/bin/python3 - <<'OAKGATE_BLOCK_END'\n" + b.code + "OAKGATE_BLOCK_END\n";
    }
  }
  // A page whose steps were all tagged away would test nothing.
  EXPECT_GE(sh, 8) << "the page's shell steps are not run";
  EXPECT_GE(js, 1) << "the page has no TypeScript SDK block";
  EXPECT_GE(python + python_skipped, 1) << "the page has no Python SDK block";
  if (python_skipped > 0) {
    std::cout << "[   NOTE   ] " << python_skipped
              << " python block(s) not run: sdk/python does not exist yet\n";
    RecordProperty("python_blocks_skipped", python_skipped);
  }

  std::string script_path = work_ + "/page.sh";
  std::ofstream(script_path) << script;
  std::map<std::string, std::string> env = gw_->env();
  // What step 1 exports: where the gateway is, the CLI on the PATH, the demo password.
  env["OAKGATE_URL"] = "http://127.0.0.1:" + std::to_string(gw_->port());
  env["PATH"] = fs::path(OAKGATE_BINARY).parent_path().string() + ":" +
                (std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  env["DEMO_PASSWORD"] = kDemoPassword;
  env["TMPDIR"] = work_;
  CommandResult run = RunProgram({"/bin/bash", "--noprofile", "--norc", script_path}, env);
  ASSERT_EQ(run.exit_code, 0) << "the page's blocks failed:\n"
                              << run.out << "\n--- stderr:\n"
                              << run.err;
  EXPECT_NE(run.out.find("denied: no_rule"), std::string::npos) << run.out;

  // The curl, TypeScript and Python steps each made one allowed and one denied decision.
  int each = 2 + python;
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM decisions WHERE tool = 'github' AND allowed"),
            std::to_string(each));
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM decisions WHERE tool = 'github' AND scope = 'write'"
                        " AND NOT allowed AND reason = 'no_rule'"),
            std::to_string(each));
  EXPECT_EQ(
      db_->Scalar("SELECT reasoning FROM decisions WHERE scope = 'write' ORDER BY seq LIMIT 1"),
      "Close the duplicate issue");

  // ... and the demo user sees both outcomes on the dashboard.
  std::string session = LoginSession(gw_->port(), kDemoEmail, kDemoPassword);
  HttpResponse page = Fetch(gw_->port(), "GET", "/dashboard/decisions", {{"Cookie", session}});
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("<code>github</code>"), std::string::npos);
  EXPECT_NE(page.body.find("class=\"outcome\">allowed"), std::string::npos);
  EXPECT_NE(page.body.find("class=\"outcome\">denied"), std::string::npos);
}

}  // namespace
}  // namespace oakgate::test
