// The management services (gateway/manage) against in-memory stores: who may act on what
// (ownership and scopes), every DomainError kind, input checks that name the field, and the
// dashboard's one-time reveal slot written with the key it reveals.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "gateway/apikey/key_format.hpp"
#include "gateway/manage/activity_service.hpp"
#include "gateway/manage/agent_service.hpp"
#include "gateway/manage/key_service.hpp"
#include "gateway/manage/rule_service.hpp"
#include "gateway/manage/tool_service.hpp"
#include "tests/unit/manage_fakes.hpp"

namespace oakgate::manage {
namespace {

using testing::FakeAgentStore;
using testing::FakeApiKeyStore;

Principal Token(std::string user, std::vector<std::string> scopes = {"keys", "agents"}) {
  Principal p;
  // Each user acts in an organization of its own, named like the user, as its owner.
  p.org_id = user;
  p.role = store::Role::kOwner;
  p.user_id = std::move(user);
  p.method = AuthMethod::kAccessToken;
  p.client_id = "cli-app";
  p.scopes = std::move(scopes);
  p.client_address = "192.0.2.7";
  p.request_id = "req-1";
  return p;
}

class ManageServices : public ::testing::Test {
 protected:
  FakeAgentStore agent_store;
  FakeApiKeyStore key_store;
  AgentService agents{agent_store};
  ToolService tools{agent_store};
  RuleService rules{agent_store};
  KeyService keys{agent_store, key_store};
  Principal alice = Token("alice");
  Principal bob = Token("bob");

  static KeyInput NamedKey(std::string name) {
    KeyInput in;
    in.name = std::move(name);
    return in;
  }
  store::Agent NewAgent(const Principal& who, std::string name) {
    AgentInput in;
    in.name = std::move(name);
    auto created = agents.Create(who, in);
    EXPECT_TRUE(created) << created.error().message;
    return created.value();
  }
  Owned<store::Agent> Own(const Principal& who, const std::string& id) {
    auto owned = agents.Get(who, id);
    EXPECT_TRUE(owned);
    return owned.value();
  }
};

template <typename T>
void ExpectError(const Outcome<T>& out, ErrorKind kind, std::string_view field = "") {
  ASSERT_FALSE(out) << "expected an error";
  EXPECT_EQ(out.error().kind, kind) << out.error().message;
  EXPECT_EQ(out.error().field, field) << out.error().message;
  EXPECT_FALSE(out.error().message.empty());
}

TEST_F(ManageServices, AnotherUsersAgentIsNotFoundForEveryOperationAndNothingChanges) {
  store::Agent a = NewAgent(alice, "private");
  auto owned = Own(alice, a.id);
  ToolInput tool;
  tool.name = "github";
  tool.scopes = std::vector<std::string>{"read"};
  ASSERT_TRUE(tools.Create(alice, owned, tool));
  RuleInput rule;
  rule.tool = "github";
  rule.scope = "read";
  auto made = rules.Create(alice, owned, rule);
  ASSERT_TRUE(made);
  size_t writes = agent_store.audit.size();

  // Bob cannot get alice's agent, and the agent alice got is no use in his hands either.
  ExpectError(agents.Get(bob, a.id), ErrorKind::kNotFound);
  AgentInput disable;
  disable.enabled = false;
  struct Case {
    const char* what;
    std::function<std::optional<DomainError>()> run;
  };
  auto error_of = [](const auto& out) -> std::optional<DomainError> {
    if (out) return std::nullopt;
    return out.error();
  };
  std::vector<Case> cases = {
      {"update agent", [&] { return error_of(agents.Update(bob, owned, disable)); }},
      {"delete agent", [&] { return error_of(agents.Delete(bob, a.id)); }},
      {"list tools", [&] { return error_of(tools.List(bob, owned)); }},
      {"get tool", [&] { return error_of(tools.Get(bob, owned, "github")); }},
      {"create tool", [&] { return error_of(tools.Create(bob, owned, tool)); }},
      {"update tool",
       [&] {
         return error_of(tools.Update(bob, owned, store::Tool{"github", {}, ""}, tool));
       }},
      {"delete tool", [&] { return error_of(tools.Delete(bob, owned, "github")); }},
      {"list rules", [&] { return error_of(rules.List(bob, owned)); }},
      {"get rule", [&] { return error_of(rules.Get(bob, owned, made.value().id)); }},
      {"create rule", [&] { return error_of(rules.Create(bob, owned, rule)); }},
      {"update rule", [&] { return error_of(rules.Update(bob, owned, made.value(), rule)); }},
      {"delete rule", [&] { return error_of(rules.Delete(bob, owned, made.value().id)); }},
  };
  for (const auto& c : cases) {
    auto e = c.run();
    ASSERT_TRUE(e) << c.what;
    EXPECT_EQ(e->kind, ErrorKind::kNotFound) << c.what;
  }
  EXPECT_EQ(agent_store.audit.size(), writes) << "nothing was written";
  EXPECT_TRUE(agent_store.agents.at(0).enabled);
  EXPECT_EQ(agent_store.tools[a.id].size(), 1u);
  EXPECT_EQ(agent_store.rules[a.id].size(), 1u);
  auto listed = agents.List(bob);
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed.value().empty());
}

TEST_F(ManageServices, AnIdThatIsNotOneOfOursIsNotFoundWithoutAskingTheStore) {
  ExpectError(agents.Get(alice, "not-a-uuid"), ErrorKind::kNotFound);
  ExpectError(agents.Get(alice, "00000000-0000-4000-8000-00000000000A"), ErrorKind::kNotFound);
  ExpectError(keys.Revoke(alice, "nonsense"), ErrorKind::kNotFound);
  ExpectError(keys.Get(alice, "pk_0000000000000000"), ErrorKind::kNotFound);
}

TEST_F(ManageServices, ACredentialWithoutTheScopeIsForbiddenEverywhere) {
  store::Agent a = NewAgent(alice, "a");
  auto owned = Own(alice, a.id);
  Principal keys_only = Token("alice", {"keys"});
  Principal agents_only = Token("alice", {"agents"});
  ExpectError(agents.List(keys_only), ErrorKind::kForbidden);
  ExpectError(agents.Get(keys_only, a.id), ErrorKind::kForbidden);
  ExpectError(agents.Create(keys_only, AgentInput{std::string("b"), {}, {}, {}}),
              ErrorKind::kForbidden);
  ExpectError(tools.List(keys_only, owned), ErrorKind::kForbidden);
  ExpectError(rules.List(keys_only, owned), ErrorKind::kForbidden);
  KeyInput k;
  k.name = "k";
  ExpectError(keys.Issue(agents_only, k), ErrorKind::kForbidden);
  ExpectError(keys.List(agents_only), ErrorKind::kForbidden);
  ExpectError(keys.Rotate(agents_only, "pk_0000000000000000", 0), ErrorKind::kForbidden);
  ExpectError(keys.Revoke(agents_only, "pk_0000000000000000"), ErrorKind::kForbidden);
  EXPECT_EQ(key_store.rows.size(), 0u);
}

TEST_F(ManageServices, ANameInUseIsAConflictNamingTheField) {
  store::Agent a = NewAgent(alice, "dup");
  ExpectError(agents.Create(alice, AgentInput{std::string("dup"), {}, {}, {}}),
              ErrorKind::kConflict, "name");
  store::Agent b = NewAgent(alice, "other");
  ExpectError(agents.Update(alice, Own(alice, b.id), AgentInput{std::string("dup"), {}, {}, {}}),
              ErrorKind::kConflict, "name");
  // Another user may use the same name.
  EXPECT_TRUE(agents.Create(bob, AgentInput{std::string("dup"), {}, {}, {}}));
  auto owned = Own(alice, a.id);
  ToolInput t;
  t.name = "github";
  ASSERT_TRUE(tools.Create(alice, owned, t));
  ExpectError(tools.Create(alice, owned, t), ErrorKind::kConflict, "name");
  RuleInput r;
  r.tool = "*";
  r.scope = "*";
  ASSERT_TRUE(rules.Create(alice, owned, r));
  // Rules are not names: several may share (tool, scope) (CONTRACT §10).
  EXPECT_TRUE(rules.Create(alice, owned, r));
}

struct AgentCase {
  const char* what;
  AgentInput input;
  bool creating;
  const char* field;
  const char* message;
};

TEST_F(ManageServices, AgentInputIsCheckedNamingTheField) {
  store::Agent existing = NewAgent(alice, "existing");
  std::vector<AgentCase> cases = {
      {"no name", {{}, {}, {}, {}}, true, "name", "name is required"},
      {"empty name", {std::string(""), {}, {}, {}}, true, "name", "must match"},
      {"spaces", {std::string("no spaces"), {}, {}, {}}, false, "name", "must match"},
      {"rate 0", {std::string("a"), {}, 0, {}}, true, "rate_limit", "between 1 and 1000000"},
      {"rate big", {{}, {}, 1000001, {}}, false, "rate_limit", "between 1 and 1000000"},
      {"burst", {{}, {}, {}, -1}, false, "burst", "between 1 and 1000000"},
  };
  for (const auto& c : cases) {
    auto out = c.creating ? agents.Create(alice, c.input)
                          : agents.Update(alice, Own(alice, existing.id), c.input);
    ASSERT_FALSE(out) << c.what;
    EXPECT_EQ(out.error().kind, ErrorKind::kInvalidInput) << c.what;
    EXPECT_EQ(out.error().field, c.field) << c.what;
    EXPECT_NE(out.error().message.find(c.message), std::string::npos)
        << c.what << ": " << out.error().message;
  }
  EXPECT_EQ(agent_store.agents.size(), 1u);
}

TEST_F(ManageServices, TheBurstDefaultsToTheRateOnCreationOnly) {
  auto created = agents.Create(alice, AgentInput{std::string("a"), {}, 120, {}});
  ASSERT_TRUE(created);
  EXPECT_EQ(created.value().rate_limit, 120);
  EXPECT_EQ(created.value().burst, 120);
  auto updated = agents.Update(alice, Own(alice, created.value().id), AgentInput{{}, {}, 30, {}});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated.value().rate_limit, 30);
  EXPECT_EQ(updated.value().burst, 120);
}

struct ToolCase {
  const char* what;
  ToolInput input;
  const char* field;
};

TEST_F(ManageServices, ToolAndRuleInputIsCheckedNamingTheField) {
  auto owned = Own(alice, NewAgent(alice, "a").id);
  std::vector<ToolCase> tool_cases = {
      {"no name", {{}, {}, {}}, "name"},
      {"bad name", {std::string("a/b"), {}, {}}, "name"},
      {"bad scope", {std::string("t"), std::vector<std::string>{"ok", "no way"}, {}}, "scopes"},
      {"too many scopes", {std::string("t"), std::vector<std::string>(201, "s"), {}}, "scopes"},
      {"control characters", {std::string("t"), {}, std::string("a\x01")}, "description"},
      {"long description", {std::string("t"), {}, std::string(2001, 'x')}, "description"},
  };
  for (const auto& c : tool_cases) {
    ExpectError(tools.Create(alice, owned, c.input), ErrorKind::kInvalidInput, c.field);
  }
  struct RuleCase {
    const char* what;
    RuleInput input;
    const char* field;
  };
  std::vector<RuleCase> rule_cases = {
      {"no tool", {{}, std::string("s"), {}, {}, {}, {}, {}}, "tool"},
      {"no scope", {std::string("t"), {}, {}, {}, {}, {}, {}}, "scope"},
      {"bad tool", {std::string("**"), std::string("s"), {}, {}, {}, {}, {}}, "tool"},
      {"bad scope", {std::string("t"), std::string("a b"), {}, {}, {}, {}, {}}, "scope"},
      {"bad level",
       {std::string("t"), std::string("s"), std::string("maybe"), {}, {}, {}, {}},
       "require_reasoning"},
  };
  for (const auto& c : rule_cases) {
    ExpectError(rules.Create(alice, owned, c.input), ErrorKind::kInvalidInput, c.field);
  }
  EXPECT_TRUE(agent_store.tools[owned->id].empty());
  EXPECT_TRUE(agent_store.rules[owned->id].empty());
}

TEST_F(ManageServices, ChangesAreAuditedAsTheirPrincipal) {
  auto created = agents.Create(alice, AgentInput{std::string("a"), {}, {}, {}});
  ASSERT_TRUE(created);
  ASSERT_EQ(agent_store.audit.size(), 1u);
  const store::AuditEvent& e = agent_store.audit[0];
  EXPECT_EQ(e.type, "agent.created");
  EXPECT_EQ(e.user_id, "alice");
  EXPECT_EQ(e.actor, "user:alice client:cli-app");
  EXPECT_EQ(e.client_address, "192.0.2.7");
  EXPECT_EQ(e.request_id, "req-1");
  EXPECT_EQ(nlohmann::json::parse(e.details_json), nlohmann::json({{"name", "a"}}));

  Principal dashboard = SessionPrincipal("alice", "198.51.100.1", "req-2");
  dashboard.org_id = alice.org_id;
  dashboard.role = alice.role;
  auto owned = Own(dashboard, created.value().id);
  ASSERT_TRUE(agents.Update(dashboard, owned, AgentInput{{}, false, {}, {}}));
  EXPECT_EQ(agent_store.audit.back().actor, "user:alice dashboard");
  EXPECT_EQ(nlohmann::json::parse(agent_store.audit.back().details_json),
            nlohmann::json({{"enabled", false}}));
  EXPECT_EQ(OperatorPrincipal("alice").Actor(), "cli");
}

TEST_F(ManageServices, AKeyWithoutAnAgentGoesToTheDefaultAgentCreatedOnce) {
  KeyInput in = NamedKey("k");
  auto first = keys.Issue(alice, in);
  auto second = keys.Issue(alice, in);
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(first.value().key.agent_id, second.value().key.agent_id);
  ASSERT_EQ(agent_store.agents.size(), 1u);
  EXPECT_EQ(agent_store.agents[0].name, "default");
  EXPECT_EQ(apikey::ParseKeyId(first.value().plaintext.Reveal()), first.value().key.key_id);
  EXPECT_EQ(key_store.audit.back().type, "api_key.created");
  EXPECT_EQ(key_store.audit.back().subject, second.value().key.key_id);
}

TEST_F(ManageServices, AKeyForAnotherUsersAgentIsNotFoundAndNotIssued) {
  store::Agent a = NewAgent(alice, "private");
  KeyInput in = NamedKey("steal");
  in.agent_id = a.id;
  ExpectError(keys.Issue(bob, in), ErrorKind::kNotFound);
  EXPECT_TRUE(key_store.rows.empty());
  EXPECT_TRUE(keys.Issue(alice, in));
}

struct KeyCase {
  const char* what;
  KeyInput input;
  const char* field;
};

TEST_F(ManageServices, KeyInputIsCheckedNamingTheField) {
  auto with = [](auto f) {
    KeyInput in = NamedKey("k");
    f(in);
    return in;
  };
  std::vector<KeyCase> cases = {
      {"no name", with([](KeyInput& k) { k.name.reset(); }), "name"},
      {"empty name", with([](KeyInput& k) { k.name = ""; }), "name"},
      {"long name", with([](KeyInput& k) { k.name = std::string(201, 'n'); }), "name"},
      {"agent id", with([](KeyInput& k) { k.agent_id = "x"; }), "agent_id"},
      {"scope", with([](KeyInput& k) { k.scopes = {"nocolon"}; }), "scopes"},
      {"expiry 0", with([](KeyInput& k) { k.expires_in = 0; }), "expires_in"},
      {"expiry 11y", with([](KeyInput& k) { k.expires_in = kMaxKeyLifetime + 1; }), "expires_in"},
  };
  for (const auto& c : cases) {
    ExpectError(keys.Issue(alice, c.input), ErrorKind::kInvalidInput, c.field);
  }
  EXPECT_TRUE(key_store.rows.empty());
  EXPECT_TRUE(agent_store.agents.empty()) << "no default agent made for a refused key";
  // The command line has always allowed a key without a name.
  KeyInput unnamed;
  unnamed.name = "";
  Principal operator_for_alice = OperatorPrincipal("alice");
  operator_for_alice.org_id = alice.org_id;
  operator_for_alice.role = alice.role;
  EXPECT_TRUE(keys.Issue(operator_for_alice, unnamed));
}

TEST_F(ManageServices, RotationKeepsTheKeyAndRefusesRevokedUnknownAndOutOfRange) {
  KeyInput in = NamedKey("k");
  in.scopes = {"github:read"};
  in.expires_in = 3600;
  auto issued = keys.Issue(alice, in);
  ASSERT_TRUE(issued);
  std::string old_id = issued.value().key.key_id;
  ExpectError(keys.Rotate(alice, old_id, -1), ErrorKind::kInvalidInput, "grace_seconds");
  ExpectError(keys.Rotate(alice, old_id, kMaxKeyGraceSeconds + 1), ErrorKind::kInvalidInput,
              "grace_seconds");
  ExpectError(keys.Rotate(bob, old_id, 0), ErrorKind::kNotFound);
  auto rotated = keys.Rotate(alice, old_id, 60);
  ASSERT_TRUE(rotated);
  const store::ApiKey& k = rotated.value().key;
  EXPECT_NE(k.key_id, old_id);
  EXPECT_EQ(k.replaces, old_id);
  EXPECT_EQ(k.name, "k");
  EXPECT_EQ(k.scopes, in.scopes);
  EXPECT_EQ(k.agent_id, issued.value().key.agent_id);
  EXPECT_EQ(k.expires_at, key_store.now + 3600) << "the same lifetime";
  EXPECT_EQ(rotated.value().old_key_expires_at, key_store.now + 60);
  EXPECT_EQ(key_store.audit.back().type, "api_key.rotated");
  ASSERT_TRUE(keys.Revoke(alice, k.key_id));
  ExpectError(keys.Rotate(alice, k.key_id, 0), ErrorKind::kConflict);
  ExpectError(keys.Revoke(bob, old_id), ErrorKind::kNotFound);
}

RevealSlot Slot(int64_t session) {
  return {session, [](std::string_view key_id, std::string_view key) {
            return "sealed(" + std::string(key_id) + "," + std::string(key) + ")";
          }};
}

TEST_F(ManageServices, TheDashboardsRevealSlotIsWrittenWithTheKeyItReveals) {
  KeyInput in = NamedKey("k");
  auto issued = keys.Issue(alice, in, Slot(42));
  ASSERT_TRUE(issued);
  ASSERT_EQ(key_store.rows.size(), 1u);
  ASSERT_TRUE(key_store.rows[0].reveal);
  EXPECT_EQ(key_store.rows[0].reveal->session_id, 42);
  EXPECT_EQ(key_store.rows[0].reveal->sealed,
            "sealed(" + issued.value().key.key_id + "," + issued.value().plaintext.Reveal() + ")");
  auto rotated = keys.Rotate(alice, issued.value().key.key_id, 0, Slot(42));
  ASSERT_TRUE(rotated);
  ASSERT_TRUE(key_store.rows.back().reveal);
  EXPECT_EQ(key_store.rows.back().reveal->sealed, "sealed(" + rotated.value().key.key_id + "," +
                                                      rotated.value().plaintext.Reveal() + ")");
  // The API asks for no slot.
  ASSERT_TRUE(keys.Issue(alice, in));
  EXPECT_FALSE(key_store.rows.back().reveal);
}

TEST_F(ManageServices, AFailedWriteLeavesNeitherKeyNorRevealSlot) {
  KeyInput in = NamedKey("k");
  key_store.fail_next_write = true;
  EXPECT_THROW(keys.Issue(alice, in, Slot(42)), std::runtime_error);
  EXPECT_TRUE(key_store.rows.empty());
  ASSERT_TRUE(keys.Issue(alice, in, Slot(42)));
  key_store.fail_next_write = true;
  EXPECT_THROW(keys.Rotate(alice, key_store.rows[0].key.key_id, 0, Slot(42)), std::runtime_error);
  ASSERT_EQ(key_store.rows.size(), 1u);
  EXPECT_FALSE(key_store.rows[0].key.expires_at) << "the old key is untouched";
}

TEST(ManageActivity, EveryQueryIsThePrincipalsAndPagesCarryACursor) {
  testing::FakeDecisionStore decisions;
  testing::FakeAuditStore audit;
  ActivityService activity(decisions, audit);
  for (int i = 5; i >= 1; --i) {
    store::DecisionRecord d;
    d.id = "d" + std::to_string(i);
    d.user_id = i == 3 ? "bob" : "alice";
    d.seq = i;
    decisions.decisions.push_back(d);
  }
  Principal alice = Token("alice");
  store::DecisionQuery q;
  q.org_id = "bob";  // ignored: the principal decides
  q.limit = 2;
  auto first = activity.Decisions(alice, q);
  ASSERT_TRUE(first);
  EXPECT_EQ(decisions.queries.back().org_id, "alice");
  ASSERT_EQ(first.value().rows.size(), 2u);
  EXPECT_EQ(first.value().rows[1].seq, 4);
  EXPECT_EQ(first.value().next_cursor, 4);
  q.before = 4;
  auto second = activity.Decisions(alice, q);
  ASSERT_TRUE(second);
  ASSERT_EQ(second.value().rows.size(), 2u);
  EXPECT_EQ(second.value().rows[0].seq, 2);
  EXPECT_FALSE(second.value().next_cursor) << "the last page";
  q.agent_id = "robert'); --";
  ExpectError(activity.Decisions(alice, q), ErrorKind::kInvalidInput, "agent_id");
  ExpectError(activity.Decision(alice, "d3"), ErrorKind::kNotFound);
  store::AuditQuery aq;
  aq.org_id = "bob";
  ASSERT_TRUE(activity.AuditEvents(alice, aq));
  EXPECT_EQ(audit.queries.back().org_id, "alice");
  ExpectError(activity.AuditEvents(Token("alice", {"keys"}), aq), ErrorKind::kForbidden);
}

}  // namespace
}  // namespace oakgate::manage
