// Deletes take what belongs to the deleted row with them, as the schema says, and nothing
// of anyone else's.
#include "tests/store/store_test.hpp"

namespace oakgate::test {
namespace {

class Cascade : public StoreTest {
 protected:
  static int64_t Rows(const std::string& table, const std::string& where) {
    return Count("SELECT count(*) FROM " + table + " WHERE " + where);
  }
  static std::string Is(const std::string& column, const std::string& value) {
    return column + " = '" + value + "'";
  }
  // An agent with a tool, a rule, a key, a decision and a rate-limited count.
  static store::Agent FullAgent(const std::string& user) {
    store::Agent agent = NewAgent(user);
    auto audit = Audit("test", user);
    EXPECT_EQ(Db().Agents().CreateTool(agent.id, {"files", {"read"}, ""}, audit),
              store::WriteOutcome::kOk);
    store::Rule rule{"", "files", "read", "none"};
    EXPECT_EQ(Db().Agents().CreateRule(agent.id, rule, audit), store::WriteOutcome::kOk);
    NewKey(agent);
    store::DecisionRecord d;
    d.id = Uuid();
    d.agent_id = agent.id;
    d.tool = "files";
    d.scope = "read";
    d.allowed = true;
    EXPECT_EQ(Db().Decisions().InsertBatch({d}).size(), 1u);
    Db().Decisions().AddRefusals({{agent.id, 1700000040, 2}});
    return agent;
  }
};

TEST_F(Cascade, DeletingAnAgentDeletesItsToolsRulesKeysDecisionsAndCounts) {
  std::string user = NewUser();
  store::Agent doomed = FullAgent(user), kept = FullAgent(user);

  ASSERT_TRUE(Db().Agents().Delete(doomed.org_id, doomed.id, Audit("agent.deleted", user)));

  for (const char* table : {"tools", "rules", "api_keys", "decisions", "rate_limited_counts"}) {
    EXPECT_EQ(Rows(table, Is("agent_id", doomed.id)), 0) << table;
    EXPECT_EQ(Rows(table, Is("agent_id", kept.id)), 1) << table;
  }
  EXPECT_FALSE(Db().Agents().Find(doomed.org_id, doomed.id));
  EXPECT_EQ(Rows("audit_events", Is("type", "agent.deleted") + " AND " + Is("user_id", user)), 1);
  // Gone means gone: a second delete finds nothing and records nothing.
  EXPECT_FALSE(Db().Agents().Delete(doomed.org_id, doomed.id, Audit("agent.deleted", user)));
  EXPECT_EQ(Rows("audit_events", Is("type", "agent.deleted") + " AND " + Is("user_id", user)), 1);
}

TEST_F(Cascade, AnotherOrganizationsAgentIsNeitherFoundNorDeleted) {
  std::string owner = NewUser(), other = NewUser();
  store::Agent agent = NewAgent(owner);
  std::string other_org = Db().Orgs().Personal(other).value().org.id;
  EXPECT_FALSE(Db().Agents().Find(other_org, agent.id));
  EXPECT_FALSE(Db().Agents().Delete(other_org, agent.id, Audit("agent.deleted", other)));
  EXPECT_TRUE(Db().Agents().Find(agent.org_id, agent.id));
  EXPECT_EQ(Rows("audit_events", Is("type", "agent.deleted") + " AND " + Is("user_id", other)), 0);
}

TEST_F(Cascade, DeletingAClientDeletesItsCodesFamiliesTokensAndConsents) {
  std::string user = NewUser(), doomed = NewClient(), kept = NewClient();
  std::string access_hash;
  for (const auto& client : {doomed, kept}) {
    store::NewCode code;
    code.code_hash = Hash();
    code.client_id = client;
    code.user_id = user;
    code.redirect_uri = "https://app.example.test/cb";
    code.code_challenge = "challenge";
    Db().Tokens().CreateCode(code);
    store::NewTokens tokens = Tokens();
    if (client == doomed) access_hash = tokens.access_hash;
    ASSERT_TRUE(
        Db().Tokens().RedeemCode(Db().Tokens().FindCode(code.code_hash).value(), 3600, 0, tokens));
    Db().Consents().Save(user, client, {{"read"}, {}}, {});
  }
  ASSERT_TRUE(Db().Tokens().FindActiveAccessToken(access_hash));

  ASSERT_TRUE(Db().Clients().Delete(doomed, {}));

  EXPECT_FALSE(Db().Clients().Find(doomed));
  EXPECT_FALSE(Db().Tokens().FindActiveAccessToken(access_hash));
  for (const char* table : {"authorization_codes", "token_families", "access_tokens", "consents"}) {
    EXPECT_EQ(Rows(table, Is("client_id", doomed)), 0) << table;
    EXPECT_EQ(Rows(table, Is("client_id", kept)), 1) << table;
  }
  EXPECT_EQ(
      Rows("refresh_tokens r JOIN token_families f ON f.id = r.family_id", Is("f.client_id", kept)),
      1);
  EXPECT_EQ(Count("SELECT count(*) FROM refresh_tokens r WHERE NOT EXISTS"
                  " (SELECT 1 FROM token_families f WHERE f.id = r.family_id)"),
            0);
  EXPECT_FALSE(Db().Clients().Delete(doomed, {}));
}

TEST_F(Cascade, DeletingAUserDeletesTheirSessionsAgentsAndGrants) {
  // No store deletes users (they are disabled); the schema still must not leave orphans
  // when an operator deletes one by hand.
  std::string doomed = NewUser(), kept = NewUser(), client = NewClient();
  for (const auto& user : {doomed, kept}) {
    Db().Sessions().Create(Hash(), user, 3600, 600, "127.0.0.1", "test", {});
    FullAgent(user);
    Db().Consents().Save(user, client, {{"read"}, {}}, {});
  }
  Sql().Scalar("DELETE FROM users WHERE id = '" + doomed + "'");

  for (const char* table : {"sessions", "agents", "api_keys", "decisions", "consents"}) {
    EXPECT_EQ(Rows(table, Is("user_id", doomed)), 0) << table;
    EXPECT_EQ(Rows(table, Is("user_id", kept)), 1) << table;
  }
}

TEST_F(Cascade, DisablingAUserEndsTheirSessionsAndRevokesTheirGrantsAndKeys) {
  std::string user = NewUser(), client = NewClient();
  std::string session_hash = Hash();
  Db().Sessions().Create(session_hash, user, 3600, 600, "127.0.0.1", "test", {});
  store::ApiKey key = NewKey(NewAgent(user));
  store::NewCode code;
  code.code_hash = Hash();
  code.client_id = client;
  code.user_id = user;
  code.redirect_uri = "https://app.example.test/cb";
  code.code_challenge = "challenge";
  Db().Tokens().CreateCode(code);
  store::NewTokens tokens = Tokens();
  ASSERT_TRUE(
      Db().Tokens().RedeemCode(Db().Tokens().FindCode(code.code_hash).value(), 3600, 0, tokens));

  ASSERT_TRUE(Db().Users().DisableById(user, Audit("user.disabled", user)));

  EXPECT_FALSE(Db().Sessions().FindActive(session_hash, 600));
  EXPECT_FALSE(Db().Tokens().FindActiveAccessToken(tokens.access_hash));
  EXPECT_TRUE(Db().ApiKeys().FindInOrg(key.org_id, key.key_id)->revoked_at);
  EXPECT_TRUE(Db().Tokens().ListGrants(user).empty());
  EXPECT_EQ(Rows("audit_events", Is("type", "user.disabled") + " AND " + Is("user_id", user)), 1);
}

}  // namespace
}  // namespace oakgate::test
