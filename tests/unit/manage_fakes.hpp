#pragma once
// In-memory fakes of the stores the management services use (agents with their tools and
// rules, API keys, decisions, audit events, sessions, grants, users, clients), for unit
// tests: no sockets, no clock. Each write is all or nothing, as the PostgreSQL stores'
// transactions are, and records its audit event.
#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gateway/store/database.hpp"
#include "tests/unit/unused_token_store.hpp"

namespace oakgate::manage::testing {

using ::oakgate::testing::Unused;

class FakeAgentStore : public store::AgentStore {
 public:
  std::vector<store::Agent> agents;
  std::map<std::string, std::vector<store::Tool>> tools;  // by agent id
  std::map<std::string, std::vector<store::Rule>> rules;  // by agent id
  std::vector<store::AuditEvent> audit;
  int next_id = 1;

  std::string NewId() {
    char buf[40];
    snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", next_id++);
    return buf;
  }

  // Set to make Create answer as an organization at its max_agents would.
  bool at_limit = false;

  CreateOutcome Create(store::Agent& a, const store::AuditEvent& e) override {
    if (at_limit) return CreateOutcome::kLimitReached;
    for (const auto& x : agents) {
      if (x.org_id == a.org_id && x.name == a.name) return CreateOutcome::kNameTaken;
    }
    a.id = NewId();
    agents.push_back(a);
    audit.push_back(e);
    return CreateOutcome::kOk;
  }
  std::optional<store::Agent> Find(std::string_view org_id, std::string_view id) override {
    for (const auto& a : agents) {
      if (a.org_id == org_id && a.id == id) return a;
    }
    return std::nullopt;
  }
  std::optional<store::Agent> FindByName(std::string_view org_id, std::string_view name) override {
    for (const auto& a : agents) {
      if (a.org_id == org_id && a.name == name) return a;
    }
    return std::nullopt;
  }
  std::optional<store::Agent> FindOrCreateByName(std::string_view org_id, std::string_view name,
                                                 std::string_view created_by,
                                                 const store::AuditEvent& e) override {
    if (auto found = FindByName(org_id, name)) return found;
    store::Agent a;
    a.org_id = std::string(org_id);
    a.created_by = std::string(created_by);
    a.name = std::string(name);
    if (Create(a, e) != CreateOutcome::kOk) return std::nullopt;
    return a;
  }
  std::vector<store::Agent> List(std::string_view org_id) override {
    std::vector<store::Agent> out;
    for (const auto& a : agents) {
      if (a.org_id == org_id) out.push_back(a);
    }
    return out;
  }
  store::WriteOutcome Update(const store::Agent& a, const store::AuditEvent& e) override {
    store::Agent* found = nullptr;
    for (auto& x : agents) {
      if (x.id == a.id && x.org_id == a.org_id) found = &x;
      if (x.id != a.id && x.org_id == a.org_id && x.name == a.name) {
        return store::WriteOutcome::kConflict;
      }
    }
    if (!found) return store::WriteOutcome::kNotFound;
    *found = a;
    audit.push_back(e);
    return store::WriteOutcome::kOk;
  }
  bool Delete(std::string_view org_id, std::string_view id, const store::AuditEvent& e) override {
    auto it = std::find_if(agents.begin(), agents.end(),
                           [&](const auto& a) { return a.org_id == org_id && a.id == id; });
    if (it == agents.end()) return false;
    agents.erase(it);
    audit.push_back(e);
    return true;
  }

  std::vector<store::Tool> ListTools(std::string_view agent_id) override {
    return tools[std::string(agent_id)];
  }
  std::optional<store::Tool> FindTool(std::string_view agent_id, std::string_view name) override {
    for (const auto& t : tools[std::string(agent_id)]) {
      if (t.name == name) return t;
    }
    return std::nullopt;
  }
  store::WriteOutcome CreateTool(std::string_view agent_id, const store::Tool& tool,
                                 const store::AuditEvent& e) override {
    if (FindTool(agent_id, tool.name)) return store::WriteOutcome::kConflict;
    tools[std::string(agent_id)].push_back(tool);
    audit.push_back(e);
    return store::WriteOutcome::kOk;
  }
  store::WriteOutcome UpdateTool(std::string_view agent_id, const store::Tool& tool,
                                 const store::AuditEvent& e) override {
    for (auto& t : tools[std::string(agent_id)]) {
      if (t.name == tool.name) {
        t = tool;
        audit.push_back(e);
        return store::WriteOutcome::kOk;
      }
    }
    return store::WriteOutcome::kNotFound;
  }
  bool DeleteTool(std::string_view agent_id, std::string_view name,
                  const store::AuditEvent& e) override {
    auto& list = tools[std::string(agent_id)];
    auto it = std::find_if(list.begin(), list.end(), [&](const auto& t) { return t.name == name; });
    if (it == list.end()) return false;
    list.erase(it);
    audit.push_back(e);
    return true;
  }

  std::vector<store::Rule> ListRules(std::string_view agent_id) override {
    return rules[std::string(agent_id)];
  }
  std::optional<store::Rule> FindRule(std::string_view agent_id, std::string_view id) override {
    for (const auto& r : rules[std::string(agent_id)]) {
      if (r.id == id) return r;
    }
    return std::nullopt;
  }
  store::WriteOutcome CreateRule(std::string_view agent_id, store::Rule& rule,
                                 const store::AuditEvent& e) override {
    // Several rules may share (tool, scope) (CONTRACT §10).
    rule.id = NewId();
    rules[std::string(agent_id)].push_back(rule);
    audit.push_back(e);
    return store::WriteOutcome::kOk;
  }
  store::WriteOutcome UpdateRule(std::string_view agent_id, const store::Rule& rule,
                                 const store::AuditEvent& e) override {
    store::Rule* found = nullptr;
    for (auto& r : rules[std::string(agent_id)]) {
      if (r.id == rule.id) found = &r;
    }
    if (!found) return store::WriteOutcome::kNotFound;
    *found = rule;
    audit.push_back(e);
    return store::WriteOutcome::kOk;
  }
  bool DeleteRule(std::string_view agent_id, std::string_view id,
                  const store::AuditEvent& e) override {
    auto& list = rules[std::string(agent_id)];
    auto it = std::find_if(list.begin(), list.end(), [&](const auto& r) { return r.id == id; });
    if (it == list.end()) return false;
    list.erase(it);
    audit.push_back(e);
    return true;
  }
  store::PolicySlice LoadPolicy(std::string_view, std::string_view, std::string_view) override {
    throw Unused();
  }
};

class FakeApiKeyStore : public store::ApiKeyStore {
 public:
  struct Row {
    store::ApiKey key;
    std::optional<store::KeyReveal> reveal;  // written with the key, as sql/0008's slot
  };
  std::vector<Row> rows;
  std::vector<store::AuditEvent> audit;
  int64_t now = 1000000;
  // Set to make the next write fail as a lost database would: nothing of it is kept.
  bool fail_next_write = false;

  store::ApiKey Insert(const store::NewApiKey& k, const store::AuditEvent& e) override {
    return Add(k, std::nullopt, e);
  }
  std::optional<store::ApiKeyWithAgent> FindForVerification(std::string_view) override {
    throw Unused();
  }
  std::optional<store::ApiKey> FindInOrg(std::string_view org_id,
                                         std::string_view key_id) override {
    for (const auto& r : rows) {
      if (r.key.org_id == org_id && r.key.key_id == key_id) return r.key;
    }
    return std::nullopt;
  }
  std::vector<store::ApiKey> ListForOrg(std::string_view org_id) override {
    std::vector<store::ApiKey> out;
    for (const auto& r : rows) {
      if (r.key.org_id == org_id) out.push_back(r.key);
    }
    return out;
  }
  bool Revoke(std::string_view org_id, std::string_view key_id,
              const store::AuditEvent& e) override {
    for (auto& r : rows) {
      if (r.key.org_id == org_id && r.key.key_id == key_id) {
        if (!r.key.revoked_at) r.key.revoked_at = now;
        audit.push_back(e);
        return true;
      }
    }
    return false;
  }
  std::optional<std::pair<store::ApiKey, int64_t>> Rotate(std::string_view org_id,
                                                          std::string_view old_key_id,
                                                          const store::NewApiKey& replacement,
                                                          int64_t grace,
                                                          const store::AuditEvent& e) override {
    Row* old = nullptr;
    for (auto& r : rows) {
      if (r.key.org_id == org_id && r.key.key_id == old_key_id && !r.key.revoked_at) old = &r;
    }
    if (!old) return std::nullopt;
    int64_t expires =
        old->key.expires_at ? std::min(*old->key.expires_at, now + grace) : now + grace;
    std::string old_id = old->key.key_id;
    store::ApiKey added = Add(replacement, old_id, e);  // may throw: then nothing changed
    for (auto& r : rows) {
      if (r.key.key_id == old_id) r.key.expires_at = expires;
    }
    return std::make_pair(added, expires);
  }
  void TouchLastUsed(std::string_view) override { throw Unused(); }

 private:
  store::ApiKey Add(const store::NewApiKey& k, std::optional<std::string> replaces,
                    const store::AuditEvent& e) {
    if (fail_next_write) {
      fail_next_write = false;
      throw std::runtime_error("connection lost");
    }
    store::ApiKey key;
    key.key_id = k.key_id;
    key.key_hash = k.key_hash;
    key.user_id = k.user_id;
    key.org_id = k.org_id;
    key.agent_id = k.agent_id;
    key.name = k.name;
    key.scopes = k.scopes;
    key.created_at = now;
    if (k.expires_in) key.expires_at = now + *k.expires_in;
    key.replaces = std::move(replaces);
    rows.push_back({key, k.reveal});
    audit.push_back(e);
    return key;
  }
};

class FakeDecisionStore : public store::DecisionStore {
 public:
  std::vector<store::DecisionRecord> decisions;  // newest first
  std::vector<store::DecisionQuery> queries;
  std::vector<std::string> InsertBatch(const std::vector<store::DecisionRecord>&) override {
    throw Unused();
  }
  std::vector<std::string> FindExisting(const std::vector<std::string>&) override {
    throw Unused();
  }
  void AddRefusals(const std::vector<store::RefusalCount>&) override { throw Unused(); }
  std::vector<store::DecisionRecord> List(const store::DecisionQuery& q) override {
    queries.push_back(q);
    std::vector<store::DecisionRecord> out;
    for (const auto& d : decisions) {
      // The fake keeps a decision's organization in its user_id.
      if (d.user_id != q.org_id || (q.before && d.seq >= *q.before)) continue;
      if (static_cast<int64_t>(out.size()) == q.limit) break;
      out.push_back(d);
    }
    return out;
  }
  std::optional<store::DecisionRecord> Find(std::string_view org_id, std::string_view id) override {
    for (const auto& d : decisions) {
      if (d.user_id == org_id && d.id == id) return d;
    }
    return std::nullopt;
  }
  store::DecisionSummary Summarize(std::string_view) override { throw Unused(); }
};

class FakeAuditStore : public store::AuditStore {
 public:
  std::vector<store::AuditQuery> queries;
  void Record(const store::AuditEvent&) override { throw Unused(); }
  std::vector<store::AuditRecord> List(const store::AuditQuery& q) override {
    queries.push_back(q);
    return {};
  }
  std::vector<store::AuditLink> ChainAfter(int64_t, int64_t) override { throw Unused(); }
  std::optional<store::AuditChainHead> ChainHead() override { throw Unused(); }
};

// The stores behind a user's own credentials (sessions, grants, sign-out everywhere) and the
// administrators' pages. Only what CredentialService and AdminService call is implemented.
class FakeSessionStore : public store::SessionStore {
 public:
  std::vector<std::pair<std::string, store::SessionInfo>> sessions;  // (user, session)
  std::map<std::pair<int64_t, std::string>, std::string> reveals;    // (session, key id)
  std::vector<store::AuditEvent> audit;
  void Create(std::string_view, std::string_view, int64_t, int64_t, std::string_view,
              std::string_view, const store::AuditEvent&) override {
    throw Unused();
  }
  std::optional<store::Session> FindActive(std::string_view, int64_t) override { throw Unused(); }
  void End(std::string_view, const store::AuditEvent&) override { throw Unused(); }
  std::vector<store::SessionInfo> ListForUser(std::string_view user_id) override {
    std::vector<store::SessionInfo> out;
    for (const auto& [user, s] : sessions) {
      if (user == user_id) out.push_back(s);
    }
    return out;
  }
  bool EndForUser(std::string_view user_id, int64_t session_id,
                  const store::AuditEvent& event) override {
    for (auto it = sessions.begin(); it != sessions.end(); ++it) {
      if (it->first == user_id && it->second.id == session_id) {
        sessions.erase(it);
        audit.push_back(event);
        return true;
      }
    }
    return false;
  }
  void PutReveal(int64_t session_id, std::string_view key_id, std::string_view sealed) override {
    reveals[{session_id, std::string(key_id)}] = sealed;
  }
  std::optional<std::string> TakeReveal(int64_t session_id, std::string_view key_id) override {
    auto it = reveals.find({session_id, std::string(key_id)});
    if (it == reveals.end()) return std::nullopt;
    std::string sealed = it->second;
    reveals.erase(it);
    return sealed;
  }
};

class FakeGrantStore : public ::oakgate::testing::UnusedTokenStore {
 public:
  std::vector<std::pair<std::string, store::Grant>> grants;  // (user, live grant)
  std::vector<store::AuditEvent> audit;
  std::vector<store::Grant> ListGrants(std::string_view user_id) override {
    std::vector<store::Grant> out;
    for (const auto& [user, g] : grants) {
      if (user == user_id) out.push_back(g);
    }
    return out;
  }
  bool RevokeGrantForUser(std::string_view user_id, int64_t family_id,
                          const store::AuditEvent& event) override {
    for (auto it = grants.begin(); it != grants.end(); ++it) {
      if (it->first == user_id && it->second.family_id == family_id) {
        grants.erase(it);
        audit.push_back(event);
        return true;
      }
    }
    return false;
  }
};

class FakeUserStore : public store::UserStore {
 public:
  std::vector<store::UserSummary> users;
  std::vector<std::string> signed_out;  // users signed out everywhere
  std::vector<store::AuditEvent> audit;
  std::optional<store::User> FindByEmail(std::string_view) override { throw Unused(); }
  std::optional<store::User> Create(std::string_view, std::string_view, std::string_view, bool,
                                    const store::AuditEvent&) override {
    throw Unused();
  }
  bool SetPassword(std::string_view, std::string_view, const store::AuditEvent&) override {
    throw Unused();
  }
  bool Disable(std::string_view, const store::AuditEvent&) override { throw Unused(); }
  bool DisableById(std::string_view user_id, const store::AuditEvent& event) override {
    for (auto& u : users) {
      if (u.id == user_id) {
        u.disabled = true;
        audit.push_back(event);
        return true;
      }
    }
    return false;
  }
  std::vector<store::UserSummary> List() override { return users; }
  void SignOutEverywhere(std::string_view user_id, const store::AuditEvent& event) override {
    signed_out.emplace_back(user_id);
    audit.push_back(event);
  }
};

class FakeClientStore : public store::ClientStore {
 public:
  std::vector<store::Client> clients;
  bool Create(const store::Client&, const store::AuditEvent&) override { throw Unused(); }
  std::optional<store::Client> Find(std::string_view) override { throw Unused(); }
  std::vector<store::Client> List() override { return clients; }
  bool Delete(std::string_view, const store::AuditEvent&) override { throw Unused(); }
  bool Update(const store::Client&, const store::AuditEvent&) override { throw Unused(); }
  bool RotateSecret(std::string_view, std::string_view, int64_t,
                    const store::AuditEvent&) override {
    throw Unused();
  }
};

}  // namespace oakgate::manage::testing
