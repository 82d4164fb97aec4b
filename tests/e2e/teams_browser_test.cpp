// The invitation life cycle in a real browser (issue 22, "How it is shown"): an owner invites
// through the API, headless Chromium (tests/e2e/browser/invitation_flow.mjs) signs up through
// the link, signs in, accepts and lands in the organization with the invited role; the used
// link then gives the 410 page. Screenshots go to <build>/test-artifacts/invitation/.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/node_script.hpp"
#include "tests/support/teams.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

const std::string kBrowserDir = std::string(OAKGATE_SOURCE_DIR) + "/tests/e2e/browser";

TEST(TeamsBrowserE2E, AnInvitedPersonSignsUpThroughTheLinkAndLandsInTheOrganizationInChromium) {
  ASSERT_TRUE(std::filesystem::exists(kBrowserDir + "/node_modules/playwright-core"))
      << "run `npm ci` in tests/e2e/browser (scripts/test does)";
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "install the chromium package";
  TestDatabase db;
  GatewayProcess gw(db.url());  // its issuer is its own address, as invite_url needs
  std::string url = "http://127.0.0.1:" + std::to_string(gw.port());
  TeamUser owner = MakeTeamUser(gw.env(), db.url(), "owner@example.com");
  std::string org = MakeOrg(gw.port(), owner, "Team", "team");
  auto invited = CallApi(gw.port(), "POST", "/api/v1/orgs/team/invitations", owner.token,
                         {{"email", "grace@example.com"}, {"role", "admin"}});
  ASSERT_EQ(invited.status, 201) << invited.raw.body;
  std::string invite_url = invited.body["invite_url"];
  ASSERT_EQ(invite_url.rfind(url + "/web/invitations/", 0), 0u) << invite_url;

  std::filesystem::path artifacts =
      std::filesystem::path(OAKGATE_BUILD_DIR) / "test-artifacts" / "invitation";
  std::filesystem::remove_all(artifacts);
  NodeRun run = RunNodeScript(kBrowserDir, "invitation_flow.mjs",
                              {{"OAKGATE_URL", url},
                               {"OAKGATE_INVITE_URL", invite_url},
                               {"OAKGATE_EMAIL", "grace@example.com"},
                               {"OAKGATE_PASSWORD", "grace's own long password"},
                               {"OAKGATE_ARTIFACTS", artifacts.string()}});
  ASSERT_EQ(run.status, 0) << run.output << "\n--- gateway ---\n" << gw.Logs();
  nlohmann::json result;
  for (const auto& j : run.objects) {
    if (j.contains("landed")) result = j;
  }
  ASSERT_TRUE(result.is_object()) << run.output;
  EXPECT_EQ(result["again_status"], 410);

  // Checked through the API as the new member: the organization, with the invited role.
  std::string grace_id =
      db.Scalar("SELECT id FROM users WHERE email_normalized = 'grace@example.com'");
  std::string token = IssueTestAccessToken(db.url(), "teams-client", grace_id, "agents");
  auto orgs = CallApi(gw.port(), "GET", "/api/v1/orgs", token);
  ASSERT_EQ(orgs.status, 200) << orgs.raw.body;
  bool found = false;
  for (const auto& o : orgs.body["data"]) {
    if (o["id"] == org) {
      found = true;
      EXPECT_EQ(o["role"], "admin");
    }
  }
  EXPECT_TRUE(found) << orgs.raw.body;
}

}  // namespace
}  // namespace oakgate::test
