// Webhook endpoints through the management API (CONTRACT §11, issue 24), against the real
// binary and PostgreSQL: each role's answer for every endpoint (owner, admin, member, not a
// member), every bad field named, plain http and internal addresses refused when written
// (without OAKGATE_WEBHOOK_ALLOW_PRIVATE), the signing secret shown only by the create and
// rotate answers, the 20 endpoints of an organization, deliveries in pages and their retry,
// and the audit events. The gateway here sends nothing (OAKGATE_WEBHOOK_SENDERS=0), so the
// deliveries stay as the outbox wrote them; sending is tested in webhook_delivery_test.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/teams.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;

enum Who { kOwner, kAdmin, kMember, kStranger };
constexpr const char* kWhoNames[] = {"owner", "admin", "member", "not a member"};
constexpr const char* kUrl = "https://hooks.example.com/oakgate";

using User = TeamUser;

// One organization for one cell of the table: the four users in their roles, an agent, and
// an endpoint subscribed to api_key.created with one delivery (a key made after it).
struct Team {
  std::string slug;
  std::string agent;
  std::string webhook;
  std::string delivery;
};

class WebhooksApiE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    gw_ = new GatewayProcess(db_->url(), {{"OAKGATE_WEBHOOK_SENDERS", "0"}});
    for (auto& u : users_) u = NewUser();
  }
  static void TearDownTestSuite() {
    delete gw_;
    delete db_;
  }
  void TearDown() override {
    if (HasFailure())
      std::cerr << gw_->Logs().substr(gw_->Logs().size() > 3000 ? gw_->Logs().size() - 3000 : 0);
  }

  static User NewUser() {
    static int n = 0;
    return MakeTeamUser(
        gw_->env(), db_->url(),
        "hook-user" + std::to_string(++n) + "-" + std::to_string(getpid()) + "@example.com");
  }
  static JsonResponse As(const User& u, const std::string& org, const std::string& method,
                         const std::string& target, const json& body = nullptr) {
    return CallApiIn(gw_->port(), method, target, u.token, org, body);
  }
  static Team NewTeam() {
    static int n = 0;
    Team t;
    t.slug = "hooks-" + std::to_string(++n) + "-" + std::to_string(getpid());
    const User& owner = users_[kOwner];
    EXPECT_EQ(As(owner, "", "POST", "/api/v1/orgs", {{"name", "Hooks"}, {"slug", t.slug}}).status,
              201);
    for (auto [who, role] : {std::pair{kAdmin, "admin"}, std::pair{kMember, "member"}}) {
      auto r = RunOakgate(
          {"org", "add-member", "--org", t.slug, "--user", users_[who].email, "--role", role},
          gw_->env());
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    t.agent =
        As(owner, t.slug, "POST", "/api/v1/agents", {{"name", "shared"}}).body.value("id", "");
    auto hook = As(owner, t.slug, "POST", "/api/v1/webhooks",
                   {{"url", kUrl}, {"events", {"api_key.created"}}});
    EXPECT_EQ(hook.status, 201) << hook.raw.body;
    t.webhook = hook.body.value("id", "");
    EXPECT_EQ(
        As(owner, t.slug, "POST", "/api/v1/auth/api-keys", {{"name", "k"}, {"agent_id", t.agent}})
            .status,
        201);
    auto deliveries =
        As(owner, t.slug, "GET", "/api/v1/webhooks/" + t.webhook + "/deliveries").body;
    EXPECT_EQ(deliveries["data"].size(), 1u) << deliveries;
    if (!deliveries["data"].empty()) t.delivery = deliveries["data"][0].value("id", "");
    return t;
  }
  static std::string FieldOf(const JsonResponse& r) {
    return r.status == 400 ? r.body.value("field", "") : "status " + std::to_string(r.status);
  }

  static TestDatabase* db_;
  static GatewayProcess* gw_;
  static User users_[4];
};
TestDatabase* WebhooksApiE2E::db_ = nullptr;
GatewayProcess* WebhooksApiE2E::gw_ = nullptr;
User WebhooksApiE2E::users_[4];

struct Endpoint {
  const char* method;
  std::function<std::string(const Team&)> target;
  json body;
  int expected[4];  // owner, admin, member, not a member
};

TEST_F(WebhooksApiE2E, EveryWebhookEndpointAnswersEachRoleAsTheContractSays) {
  auto hook = [](const Team& t) { return "/api/v1/webhooks/" + t.webhook; };
  const std::vector<Endpoint> table = {
      {"GET",
       [](const Team&) { return std::string("/api/v1/webhooks"); },
       nullptr,
       {200, 200, 200, 404}},
      {"POST",
       [](const Team&) { return std::string("/api/v1/webhooks"); },
       json{{"url", kUrl}, {"events", {"decision.denied"}}},
       {201, 201, 403, 404}},
      {"GET", hook, nullptr, {200, 200, 200, 404}},
      {"PATCH", hook, json{{"enabled", false}}, {200, 200, 403, 404}},
      {"DELETE", hook, nullptr, {204, 204, 403, 404}},
      {"POST",
       [&](const Team& t) { return hook(t) + "/rotate-secret"; },
       nullptr,
       {200, 200, 403, 404}},
      {"GET",
       [&](const Team& t) { return hook(t) + "/deliveries"; },
       nullptr,
       {200, 200, 200, 404}},
      {"POST",
       [&](const Team& t) { return hook(t) + "/deliveries/" + t.delivery + "/retry"; },
       nullptr,
       {200, 200, 403, 404}},
  };
  for (const auto& e : table) {
    for (int who = kOwner; who <= kStranger; ++who) {
      Team team = NewTeam();
      std::string target = e.target(team);
      auto r = As(users_[who], team.slug, e.method, target, e.body);
      EXPECT_EQ(r.status, e.expected[who])
          << e.method << " " << target << " as " << kWhoNames[who] << ": " << r.raw.body;
      if (r.status == 403) {
        EXPECT_EQ(r.body.value("error", ""), "forbidden") << target;
      }
      if (r.status == 404) {
        EXPECT_EQ(r.body.value("error", ""), "not_found") << target;
      }
      // What a refused caller asked for did not happen.
      if (r.status >= 400 && e.method != std::string("GET")) {
        auto after = As(users_[kOwner], team.slug, "GET", hook(team));
        EXPECT_EQ(after.status, 200) << target;
        EXPECT_TRUE(after.body.value("enabled", false)) << target;
      }
    }
  }
}

TEST_F(WebhooksApiE2E, AnotherOrganizationsWebhookIsNotFoundInMyOwn) {
  Team team = NewTeam();
  User other = NewUser();  // acting in its personal organization
  for (const char* method : {"GET", "PATCH", "DELETE"}) {
    auto r = As(other, "", method, "/api/v1/webhooks/" + team.webhook,
                method == std::string("PATCH") ? json{{"enabled", false}} : json(nullptr));
    EXPECT_EQ(r.status, 404) << method << " " << r.raw.body;
  }
  EXPECT_EQ(As(other, "", "POST", "/api/v1/webhooks/" + team.webhook + "/rotate-secret").status,
            404);
  EXPECT_EQ(As(other, "", "GET", "/api/v1/webhooks/" + team.webhook + "/deliveries").status, 404);
  EXPECT_EQ(As(other, "", "POST",
               "/api/v1/webhooks/" + team.webhook + "/deliveries/" + team.delivery + "/retry")
                .status,
            404);
  EXPECT_TRUE(As(other, "", "GET", "/api/v1/webhooks").body["data"].empty());
  EXPECT_EQ(As(users_[kOwner], team.slug, "GET", "/api/v1/webhooks/not-a-uuid").status, 404);
}

TEST_F(WebhooksApiE2E, EveryBadFieldIsRefusedNamingItAndNothingIsCreated) {
  User u = NewUser();
  auto post = [&](const json& body) {
    return FieldOf(As(u, "", "POST", "/api/v1/webhooks", body));
  };
  json events = {"decision.denied"};
  EXPECT_EQ(post({{"events", events}}), "url");
  EXPECT_EQ(post({{"url", kUrl}}), "events");
  EXPECT_EQ(post({{"url", 7}, {"events", events}}), "url");
  EXPECT_EQ(post({{"url", kUrl}, {"events", "decision.denied"}}), "events");
  EXPECT_EQ(post({{"url", kUrl}, {"events", json::array()}}), "events");
  EXPECT_EQ(post({{"url", kUrl}, {"events", {"decision.allowed"}}}), "events");
  EXPECT_EQ(post({{"url", kUrl}, {"events", {"quota.exceeded", "quota.exceeded"}}}), "events");
  EXPECT_EQ(post({{"url", kUrl}, {"events", events}, {"description", std::string(501, 'x')}}),
            "description");
  EXPECT_EQ(post({{"url", kUrl}, {"events", events}, {"enabled", false}}), "enabled");
  EXPECT_EQ(post({{"url", kUrl}, {"events", events}, {"secret", "whsec_mine"}}), "secret");
  EXPECT_EQ(post({{"url", std::string("https://example.com/") + std::string(2100, 'a')},
                  {"events", events}}),
            "url");
  EXPECT_TRUE(As(u, "", "GET", "/api/v1/webhooks").body["data"].empty());

  auto made = As(u, "", "POST", "/api/v1/webhooks", {{"url", kUrl}, {"events", events}});
  ASSERT_EQ(made.status, 201) << made.raw.body;
  std::string path = "/api/v1/webhooks/" + made.body.value("id", "");
  auto patch = [&](const json& body) { return FieldOf(As(u, "", "PATCH", path, body)); };
  EXPECT_EQ(patch({{"enabled", "no"}}), "enabled");
  EXPECT_EQ(patch({{"events", json::array()}}), "events");
  EXPECT_EQ(patch({{"description", "a\nb"}}), "description");
  EXPECT_EQ(patch({{"colour", "red"}}), "colour");
  EXPECT_EQ(FieldOf(As(u, "", "GET", path + "/deliveries?limit=0")), "limit");
  EXPECT_EQ(FieldOf(As(u, "", "GET", path + "/deliveries?limit=ten")), "limit");
  EXPECT_EQ(FieldOf(As(u, "", "GET", path + "/deliveries?limit=5&limit=6")), "limit");
  EXPECT_EQ(FieldOf(As(u, "", "GET", path + "/deliveries?limit=201")), "limit");
  EXPECT_EQ(FieldOf(As(u, "", "GET", path + "/deliveries?cursor=junk")), "cursor");
  EXPECT_EQ(FieldOf(As(u, "", "GET", path + "/deliveries?page=2")), "page");
  auto after = As(u, "", "GET", path).body;
  EXPECT_EQ(after["events"], events);
  EXPECT_EQ(after["description"], "");
}

TEST_F(WebhooksApiE2E, PlainHttpAndInternalAddressesAreRefusedWhenWritten) {
  User u = NewUser();
  json events = {"decision.denied"};
  for (const char* url :
       {"http://hooks.example.com/in", "https://127.0.0.1/", "https://10.0.0.1/",
        "https://localhost/", "https://LOCALHOST:8443/x", "https://[::1]/",
        "https://169.254.169.254/latest/meta-data", "https://192.168.0.10/", "https://0.0.0.0/",
        "ftp://hooks.example.com/", "https://user:pass@hooks.example.com/"}) {
    auto r = As(u, "", "POST", "/api/v1/webhooks", {{"url", url}, {"events", events}});
    EXPECT_EQ(r.status, 400) << url << ": " << r.raw.body;
    EXPECT_EQ(r.body.value("field", ""), "url") << url;
  }
  EXPECT_TRUE(As(u, "", "GET", "/api/v1/webhooks").body["data"].empty());
  // A change to such an address is refused the same way, and changes nothing.
  auto made = As(u, "", "POST", "/api/v1/webhooks", {{"url", kUrl}, {"events", events}});
  ASSERT_EQ(made.status, 201);
  std::string path = "/api/v1/webhooks/" + made.body.value("id", "");
  auto r = As(u, "", "PATCH", path, {{"url", "https://10.1.2.3/hook"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.value("field", ""), "url");
  EXPECT_EQ(As(u, "", "GET", path).body.value("url", ""), kUrl);
}

TEST_F(WebhooksApiE2E, PlainHttpAndInternalAddressesAreAllowedWithTheSetting) {
  GatewayProcess open(db_->url(),
                      {{"OAKGATE_WEBHOOK_ALLOW_PRIVATE", "1"}, {"OAKGATE_WEBHOOK_SENDERS", "0"}});
  User u = NewUser();
  for (const char* url : {"http://127.0.0.1:9/in", "https://10.0.0.1/", "https://localhost/"}) {
    auto r = CallApi(open.port(), "POST", "/api/v1/webhooks", u.token,
                     {{"url", url}, {"events", {"decision.denied"}}});
    EXPECT_EQ(r.status, 201) << url << ": " << r.raw.body;
  }
}

TEST_F(WebhooksApiE2E, TheSecretIsShownOnceAndRotatingShowsANewOne) {
  User u = NewUser();
  auto made = As(u, "", "POST", "/api/v1/webhooks",
                 {{"url", kUrl},
                  {"events", {"decision.denied", "approval.requested"}},
                  {"description", "alerts"}});
  ASSERT_EQ(made.status, 201) << made.raw.body;
  std::string secret = made.body.value("secret", "");
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u) << made.raw.body;
  EXPECT_GT(secret.size(), 30u);
  for (const char* key :
       {"id", "url", "description", "events", "enabled", "disabled_reason", "created_at"}) {
    EXPECT_TRUE(made.body.contains(key)) << key;
  }
  EXPECT_EQ(made.body["disabled_reason"], nullptr);
  EXPECT_EQ(made.raw.Header("cache-control").value_or(""), "no-store");
  std::string path = "/api/v1/webhooks/" + made.body.value("id", "");
  // Never again: not in the list, the endpoint, or a change's answer.
  auto one = As(u, "", "GET", path);
  auto list = As(u, "", "GET", "/api/v1/webhooks");
  auto changed = As(u, "", "PATCH", path, {{"description", "renamed"}});
  for (const auto* r : {&one, &list, &changed}) {
    EXPECT_EQ(r->raw.body.find("whsec_"), std::string::npos) << r->raw.body;
  }
  EXPECT_EQ(changed.body.value("description", ""), "renamed");

  auto rotated = As(u, "", "POST", path + "/rotate-secret");
  ASSERT_EQ(rotated.status, 200) << rotated.raw.body;
  std::string next = rotated.body.value("secret", "");
  EXPECT_EQ(next.rfind("whsec_", 0), 0u);
  EXPECT_NE(next, secret);
  EXPECT_EQ(rotated.body.value("id", ""), made.body.value("id", ""));
  EXPECT_EQ(As(u, "", "GET", path).raw.body.find("whsec_"), std::string::npos);
  auto audit = As(u, "", "GET", "/api/v1/audit-events?type=webhook.secret_rotated");
  ASSERT_EQ(audit.body["data"].size(), 1u) << audit.raw.body;
  EXPECT_EQ(audit.raw.body.find("whsec_"), std::string::npos);
}

TEST_F(WebhooksApiE2E, AnOrganizationHasAtMostTwentyEndpoints) {
  User u = NewUser();
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(As(u, "", "POST", "/api/v1/webhooks", {{"url", kUrl}, {"events", {"quota.exceeded"}}})
                  .status,
              201);
  }
  auto over =
      As(u, "", "POST", "/api/v1/webhooks", {{"url", kUrl}, {"events", {"quota.exceeded"}}});
  EXPECT_EQ(over.status, 409) << over.raw.body;
  EXPECT_EQ(over.body.value("error", ""), "conflict");
  EXPECT_EQ(As(u, "", "GET", "/api/v1/webhooks").body["data"].size(), 20u);
}

TEST_F(WebhooksApiE2E, DeliveriesComeInPagesNewestFirstAndARetryIsAudited) {
  Team team = NewTeam();  // one delivery already
  const User& owner = users_[kOwner];
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(As(owner, team.slug, "POST", "/api/v1/auth/api-keys",
                 {{"name", "k" + std::to_string(i)}, {"agent_id", team.agent}})
                  .status,
              201);
  }
  std::string path = "/api/v1/webhooks/" + team.webhook + "/deliveries";
  std::vector<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 5; ++page) {
    auto r = As(users_[kMember], team.slug, "GET",
                path + "?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.raw.body;
    for (const auto& d : r.body["data"]) {
      seen.push_back(d.value("id", ""));
      EXPECT_EQ(d.value("type", ""), "api_key.created");
      EXPECT_EQ(d.value("status", ""), "pending");
      EXPECT_EQ(d.value("attempts", -1), 0);
      EXPECT_EQ(d["last_status"], nullptr);
      EXPECT_EQ(d["delivered_at"], nullptr);
      EXPECT_TRUE(d["next_attempt_at"].is_string());
      EXPECT_EQ(d.value("event_id", "").size(), 36u);
    }
    if (r.body["next_cursor"].is_null()) break;
    cursor = r.body["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 5u);
  EXPECT_EQ(seen.back(), team.delivery);  // the first made is last: newest first

  auto retried = As(users_[kAdmin], team.slug, "POST", path + "/" + team.delivery + "/retry");
  ASSERT_EQ(retried.status, 200) << retried.raw.body;
  EXPECT_EQ(retried.body.value("id", ""), team.delivery);
  EXPECT_EQ(retried.body.value("status", ""), "pending");
  EXPECT_EQ(
      As(owner, team.slug, "POST", path + "/00000000-0000-4000-8000-000000000000/retry").status,
      404);
  for (const char* type : {"webhook.created", "webhook.delivery_retried"}) {
    auto audit = As(owner, team.slug, "GET", std::string("/api/v1/audit-events?type=") + type);
    EXPECT_EQ(audit.body["data"].size(), 1u) << type << ": " << audit.raw.body;
  }
}

TEST_F(WebhooksApiE2E, ChangesAndDeletionAreAuditedAndADeletedEndpointIsGone) {
  User u = NewUser();
  auto made =
      As(u, "", "POST", "/api/v1/webhooks", {{"url", kUrl}, {"events", {"api_key.revoked"}}});
  ASSERT_EQ(made.status, 201);
  std::string path = "/api/v1/webhooks/" + made.body.value("id", "");
  auto off = As(u, "", "PATCH", path,
                {{"enabled", false}, {"events", {"api_key.revoked", "api_key.created"}}});
  ASSERT_EQ(off.status, 200) << off.raw.body;
  EXPECT_FALSE(off.body.value("enabled", true));
  EXPECT_EQ(off.body["events"], json({"api_key.revoked", "api_key.created"}));
  EXPECT_EQ(As(u, "", "PATCH", path, {{"enabled", true}}).body.value("enabled", false), true);
  EXPECT_EQ(As(u, "", "DELETE", path).status, 204);
  EXPECT_EQ(As(u, "", "GET", path).status, 404);
  EXPECT_EQ(As(u, "", "DELETE", path).status, 404);
  for (const char* type : {"webhook.created", "webhook.updated", "webhook.deleted"}) {
    auto audit = As(u, "", "GET", std::string("/api/v1/audit-events?type=") + type);
    EXPECT_FALSE(audit.body["data"].empty()) << type;
  }
}

}  // namespace
}  // namespace oakgate::test
