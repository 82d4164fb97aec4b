// Organizations in a real browser (issue 22, "Dashboard"): headless Chromium via
// playwright-core (tests/e2e/browser/dashboard_orgs.mjs) switches organization in the header
// and changes a member's role on the members page (the member then finds itself an admin), and
// invites someone with the link shown once.
// Screenshots go to <build>/test-artifacts/dashboard-orgs/.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/gateway_process.hpp"
#include "tests/support/node_script.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

constexpr const char* kPassword = "correct-horse-battery-staple-42";
const std::string kBrowserDir = std::string(OAKGATE_SOURCE_DIR) + "/tests/e2e/browser";

TEST(DashboardOrgsBrowserE2E, OwnerSwitchesToTheTeamInTheHeaderAndMakesAMemberAnAdmin) {
  ASSERT_TRUE(std::filesystem::exists(kBrowserDir + "/node_modules/playwright-core"))
      << "run `npm ci` in tests/e2e/browser (scripts/test does)";
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "install the chromium package";
  TestDatabase db;
  GatewayProcess gw(db.url());
  for (const char* email : {"owner@example.com", "member@example.com"}) {
    auto r = RunOakgate({"user", "create", "--email", email, "--password-stdin"}, gw.env(),
                        std::string(kPassword) + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  auto org = RunOakgate(
      {"org", "create", "--name", "The Team", "--slug", "the-team", "--owner", "owner@example.com"},
      gw.env());
  ASSERT_EQ(org.exit_code, 0) << org.err;
  std::string org_id = nlohmann::json::parse(org.out).at("id");
  auto added = RunOakgate({"org", "add-member", "--org", "the-team", "--user", "member@example.com",
                           "--role", "member"},
                          gw.env());
  ASSERT_EQ(added.exit_code, 0) << added.err;
  std::filesystem::path artifacts =
      std::filesystem::path(OAKGATE_BUILD_DIR) / "test-artifacts" / "dashboard-orgs";
  std::filesystem::remove_all(artifacts);

  NodeRun run = RunNodeScript(kBrowserDir, "dashboard_orgs.mjs",
                              {{"OAKGATE_URL", "http://127.0.0.1:" + std::to_string(gw.port())},
                               {"OAKGATE_PASSWORD", kPassword},
                               {"OAKGATE_OWNER_EMAIL", "owner@example.com"},
                               {"OAKGATE_MEMBER_EMAIL", "member@example.com"},
                               {"OAKGATE_ORG_ID", org_id},
                               {"OAKGATE_ARTIFACTS", artifacts.string()}});
  ASSERT_EQ(run.status, 0) << run.output << "\n--- gateway ---\n" << gw.Logs();
  nlohmann::json result;
  for (const auto& j : run.objects) {
    if (j.contains("member_role")) result = j;
  }
  ASSERT_TRUE(result.is_object()) << run.output;
  // What the browser saw is what PostgreSQL holds.
  EXPECT_EQ(db.Scalar("SELECT m.role FROM org_members m JOIN users u ON u.id = m.user_id"
                      " WHERE u.email = 'member@example.com' AND m.org_id = '" +
                      org_id + "'"),
            "admin");
  EXPECT_EQ(db.Scalar("SELECT count(*) FROM audit_events WHERE type = 'org.member_role_changed'"
                      " AND actor LIKE '%dashboard%'"),
            "1");
  EXPECT_EQ(db.Scalar("SELECT count(*) FROM org_invitations WHERE email = 'later@example.com'"),
            "1");
  EXPECT_EQ(result["pages"].get<int>(), 6);
}

}  // namespace
}  // namespace oakgate::test
