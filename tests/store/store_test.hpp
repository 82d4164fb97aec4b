#pragma once
// Contract tests of the PostgreSQL stores: each suite gets a fresh database, migrated by the
// gateway's own migrator, and talks to it through the real store::pg classes.
#include <gtest/gtest.h>

#include <functional>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gateway/crypto/random.hpp"
#include "gateway/store/pg/migrator.hpp"
#include "gateway/store/pg/pg_database.hpp"
#include "gateway/util/strings.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {

class StoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = std::make_unique<TestDatabase>();
    store::pg::ApplyMigrations(database_->url());
    db_ = std::make_unique<store::pg::PgDatabase>(database_->url());
  }
  static void TearDownTestSuite() {
    db_->ResetConnection();  // this thread's; the others closed theirs when they ended
    db_.reset();
    database_.reset();
  }

  static store::pg::PgDatabase& Db() { return *db_; }
  static const TestDatabase& Sql() { return *database_; }
  static int64_t Count(const std::string& sql) { return std::stoll(Sql().Scalar(sql)); }

  // 32 random bytes: what every *_hash column holds.
  static std::string Hash() { return crypto::RandomBytes(32); }
  static std::string Uuid() {
    std::string h = util::HexLower(crypto::RandomBytes(16));
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-4" + h.substr(13, 3) + "-a" + h.substr(17, 3) +
           "-" + h.substr(20, 12);
  }
  static std::string Unique(const std::string& prefix) {
    return prefix + util::ToLower(crypto::RandomAlnum(10));
  }

  static std::string NewUser() {
    std::string email = Unique("user-") + "@example.test";
    return Db().Users().Create(email, email, "not-a-real-hash", false, {}).value().id;
  }
  static store::Agent NewAgent(const std::string& user_id) {
    // In the user's personal organization (made with the user, sql/0012).
    store::Agent a;
    a.org_id = Db().Orgs().Personal(user_id).value().org.id;
    a.created_by = user_id;
    a.name = Unique("agent-");
    EXPECT_EQ(Db().Agents().Create(a, Audit("agent.created", user_id)),
              store::AgentStore::CreateOutcome::kOk);
    return a;
  }
  static std::string NewClient() {
    store::Client c;
    c.id = Unique("client-");
    c.name = "a client";
    c.secret_hash = Hash();
    c.confidential = true;
    c.redirect_uris = {"https://app.example.test/cb"};
    c.scopes = {"openid", "read"};
    c.grant_types = {"authorization_code", "refresh_token", "client_credentials"};
    EXPECT_TRUE(Db().Clients().Create(c, {}));
    return c.id;
  }
  // A decision of `agent` for files:read, denied by no_rule when not allowed.
  static store::DecisionRecord NewDecision(const store::Agent& agent, bool allowed) {
    store::DecisionRecord d;
    d.id = Uuid();
    d.agent_id = agent.id;
    d.key_id = "pk_0000000000000000";
    d.tool = "files";
    d.scope = "read";
    d.allowed = allowed;
    if (!allowed) d.reason = "no_rule";
    d.request_id = "req";
    return d;
  }
  static std::string NewKeyId() { return "pk_" + crypto::RandomAlnum(16); }
  static store::ApiKey NewKey(const store::Agent& agent) {
    store::NewApiKey k;
    k.key_id = NewKeyId();
    k.key_hash = Hash();
    k.user_id = agent.created_by;
    k.org_id = agent.org_id;
    k.agent_id = agent.id;
    k.scopes = {"files:read"};
    return Db().ApiKeys().Insert(k, Audit("api_key.created", agent.created_by));
  }
  static store::AuditEvent Audit(const std::string& type, const std::string& user_id) {
    store::AuditEvent e;
    e.type = type;
    e.user_id = user_id;
    e.actor = "user:" + user_id;
    return e;
  }
  static store::NewTokens Tokens(bool refresh = true) {
    store::NewTokens t;
    t.access_hash = Hash();
    if (refresh) t.refresh_hash = Hash();
    t.access_scopes = {"read"};
    return t;
  }

  // Runs body(i) on n threads at once: each opens its own connection first (as a worker
  // does), then all start together, so the statements really race in the database.
  static void RunTogether(int n, const std::function<void(int)>& body) {
    std::latch ready(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        Db().Connection();
        ready.arrive_and_wait();
        try {
          body(i);
        } catch (const std::exception& e) {
          ADD_FAILURE() << "thread " << i << " threw: " << e.what();
        }
      });
    }
    for (auto& t : threads) t.join();
  }

 private:
  static inline std::unique_ptr<TestDatabase> database_;
  static inline std::unique_ptr<store::pg::PgDatabase> db_;
};

}  // namespace oakgate::test
