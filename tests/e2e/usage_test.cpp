// Usage and the monthly decision limit (CONTRACT §9): counters per organization, agent, day and
// outcome kept by the decision log's group commit and read by GET /api/v1/usage; the limit
// answered as 429 quota_exceeded with Retry-After to the month's end (the gateway's clock
// moved there by tests/support/shifted_clock.cpp), counted and not recorded; and held within
// 1% by two instances on one database.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/api_client.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;

// The Unix time the current UTC month ends.
int64_t EndOfThisMonth() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::tm next{};
  next.tm_year = tm.tm_year;
  next.tm_mon = tm.tm_mon + 1;  // timegm carries December into January
  next.tm_mday = 1;
  return static_cast<int64_t>(timegm(&next));
}

std::map<std::string, std::string> ShiftedClock(int64_t offset_seconds) {
  std::string asan = getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "";
  return {{"LD_PRELOAD", OAKGATE_SHIFTED_CLOCK},
          {"OAKGATE_TEST_CLOCK_OFFSET", std::to_string(offset_seconds)},
          // The sanitizer's runtime wants to come first; this library only moves the clock.
          {"ASAN_OPTIONS", asan + (asan.empty() ? "" : ":") + "verify_asan_link_order=0"}};
}

class UsageE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_ = new TestDatabase(); }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }

  // A user with a token (40 days: the gateway's clock may be moved up to a month ahead).
  struct Owner {
    std::string user_id;
    std::string org_id;
    std::string token;
  };
  static Owner NewOwner(const GatewayProcess& g, const std::string& email) {
    static bool client = false;
    if (!client) CreateTestClient(g.env(), "mgmt");
    client = true;
    Owner o;
    o.user_id = CreateTestUser(g.env(), email);
    o.org_id =
        db_->Scalar("SELECT id FROM organizations WHERE personal_user_id = '" + o.user_id + "'");
    o.token = IssueTestAccessToken(db_->url(), "mgmt", o.user_id, "keys agents", 40 * 86400);
    return o;
  }

  // An agent allowed github:read (not github:write), with a key; {id, key}.
  static SeededAgent Agent(const GatewayProcess& g, const Owner& o, const std::string& name,
                           int rate = 1000000, int burst = 100000) {
    return SeedAgent(g.port(), o.token, name, {{"github", {"read", "write"}}},
                     {{"github", "read", "none"}}, rate, burst);
  }

  // As the operator does: `oakgate org set-limits` (the organization by its id).
  static void SetMonthlyLimit(const GatewayProcess& g, const Owner& o, int64_t limit) {
    auto r = RunOakgate(
        {"org", "set-limits", "--org", o.org_id, "--monthly-decisions", std::to_string(limit)},
        g.env());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  static int64_t Count(const std::string& sql) { return std::stoll(db_->Scalar(sql)); }
  static int64_t Recorded(const std::string& agent_id) {
    return Count("SELECT count(*) FROM decisions WHERE agent_id = '" + agent_id + "'");
  }
  static int64_t Counter(const std::string& column, const std::string& agent_id) {
    return Count("SELECT coalesce(sum(" + column + "), 0) FROM usage_counters WHERE agent_id = '" +
                 agent_id + "'");
  }

  static const json& Read() {
    static const json body = {{"tool", "github"}, {"scope", "read"}};
    return body;
  }
  static const json& Write() {
    static const json body = {{"tool", "github"}, {"scope", "write"}};
    return body;
  }

  static TestDatabase* db_;
};

TestDatabase* UsageE2E::db_ = nullptr;

TEST_F(UsageE2E, TheUsageApiAnswersWhatTheValidationsDidFromTheCounters) {
  GatewayProcess g(db_->url());
  Owner o = NewOwner(g, "usage@example.com");
  SeededAgent busy = Agent(g, o, "busy");
  SeededAgent limited = Agent(g, o, "limited", 60, 3);
  for (int i = 0; i < 7; ++i) ASSERT_EQ(CallValidate(g.port(), busy.key, Read()).status, 200);
  for (int i = 0; i < 4; ++i) {
    auto r = CallValidate(g.port(), busy.key, Write());
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ(r.body["allowed"], false);
  }
  int limited_429 = 0;
  for (int i = 0; i < 8; ++i) {
    auto r = CallValidate(g.port(), limited.key, Read());
    if (r.status == 429) {
      ASSERT_EQ(r.body["reason"], "rate_limited");
      ++limited_429;
    }
  }
  ASSERT_GE(limited_429, 5);
  // Rate-limited answers are flushed about twice a second.
  ASSERT_TRUE(Eventually([&] { return Counter("rate_limited", limited.id) == limited_429; },
                         std::chrono::seconds(5)));

  auto u = CallApi(g.port(), "GET", "/api/v1/usage", o.token);
  ASSERT_EQ(u.status, 200) << u.raw.body;
  EXPECT_EQ(u.body["totals"], (json{{"allowed", 7 + 3},
                                    {"denied", 4},
                                    {"rate_limited", limited_429},
                                    {"quota_exceeded", 0}}));
  EXPECT_EQ(u.body["limits"], (json{{"max_agents", nullptr}, {"monthly_decisions", nullptr}}));
  std::map<std::string, json> agents;
  for (const auto& a : u.body["agents"]) agents[a["agent_id"]] = a;
  EXPECT_EQ(agents[busy.id],
            (json{{"agent_id", busy.id}, {"allowed", 7}, {"denied", 4}, {"rate_limited", 0}}));
  EXPECT_EQ(agents[limited.id]["allowed"], 3);
  EXPECT_EQ(agents[limited.id]["rate_limited"], limited_429);
  int64_t daily_allowed = 0, daily_denied = 0;
  for (const auto& d : u.body["daily"]) {
    daily_allowed += d["allowed"].get<int64_t>();
    daily_denied += d["denied"].get<int64_t>();
  }
  EXPECT_EQ(daily_allowed, 10);
  EXPECT_EQ(daily_denied, 4);
  // The counters are the decisions recorded, no more, no fewer.
  EXPECT_EQ(Recorded(busy.id) + Recorded(limited.id), 14);
  EXPECT_EQ(u.body["month"], db_->Scalar("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM')"));

  // Another month has nothing; a malformed one is refused naming it.
  auto empty = CallApi(g.port(), "GET", "/api/v1/usage?month=2001-02", o.token);
  ASSERT_EQ(empty.status, 200) << empty.raw.body;
  EXPECT_EQ(empty.body["totals"]["allowed"], 0);
  EXPECT_EQ(empty.body["daily"].size(), 28u);
  for (const char* bad : {"2026-13", "2026-1", "yesterday", "2026-01-01"}) {
    auto r = CallApi(g.port(), "GET", std::string("/api/v1/usage?month=") + bad, o.token);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.body.value("field", ""), "month") << bad;
  }
  EXPECT_EQ(CallApi(g.port(), "GET", "/api/v1/usage?week=1", o.token).status, 400);
}

TEST_F(UsageE2E, AValidationPastTheMonthlyLimitIsRefusedUntilTheMonthEndsCountedNotRecorded) {
  // The gateway's clock two minutes before the end of this month (PostgreSQL keeps its own).
  const int64_t end = EndOfThisMonth();
  const int64_t offset = end - 120 - static_cast<int64_t>(std::time(nullptr));
  GatewayProcess g(db_->url(), ShiftedClock(offset));
  Owner o = NewOwner(g, "quota@example.com");
  SeededAgent agent = Agent(g, o, "metered");
  SetMonthlyLimit(g, o, 5);
  for (int i = 0; i < 5; ++i) {
    auto r = CallValidate(g.port(), agent.key, i % 2 ? Write() : Read());
    ASSERT_EQ(r.status, 200) << "decision " << i << ": " << r.raw.body;
  }
  const auto refused_from = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    auto r = CallValidate(g.port(), agent.key, Read());
    ASSERT_EQ(r.status, 429) << r.raw.body;
    EXPECT_EQ(r.body["allowed"], false);
    EXPECT_EQ(r.body["reason"], "quota_exceeded");
    EXPECT_FALSE(r.body.contains("decision_id"));
    ASSERT_TRUE(r.raw.Header("retry-after"));
    const int64_t retry = std::stoll(*r.raw.Header("retry-after"));
    const int64_t elapsed = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::steady_clock::now() - refused_from)
                                .count();
    EXPECT_LE(retry, 120) << "until the end of the gateway's month";
    EXPECT_GE(retry, 120 - elapsed - 30) << "until the end of the gateway's month";
    EXPECT_TRUE(r.raw.Header("ratelimit-limit")) << "after the rate limit: its headers too";
  }
  EXPECT_EQ(Recorded(agent.id), 5) << "refusals are not recorded";
  ASSERT_TRUE(
      Eventually([&] { return Counter("quota_exceeded", agent.id) == 3; }, std::chrono::seconds(5)))
      << "counted as quota_exceeded";
  EXPECT_EQ(Counter("allowed + denied", agent.id), 5);
  EXPECT_EQ(Counter("rate_limited", agent.id), 0);

  // A raised limit reaches the instance's cache and allowance at once (NOTIFY).
  SetMonthlyLimit(g, o, 6);
  EXPECT_TRUE(Eventually([&] { return CallValidate(g.port(), agent.key, Read()).status == 200; },
                         std::chrono::seconds(5)));
  EXPECT_EQ(CallValidate(g.port(), agent.key, Read()).status, 429);
  EXPECT_EQ(Recorded(agent.id), 6);
}

TEST_F(UsageE2E, TwoInstancesTogetherRecordTheMonthlyLimitWithinOnePercentAndNeverMore) {
  GatewayProcess a(db_->url());
  GatewayProcess b(db_->url());
  Owner o = NewOwner(a, "shared-quota@example.com");
  SeededAgent agent = Agent(a, o, "hammer");
  const int64_t limit = 2000;
  SetMonthlyLimit(a, o, limit);

  std::atomic<int64_t> allowed{0}, refused{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const int port = (t % 2 ? b : a).port();
      int refusals_in_a_row = 0;
      for (int i = 0; i < 3 * limit && refusals_in_a_row < 20; ++i) {
        auto r = CallValidate(port, agent.key, Read());
        if (r.status == 200) {
          ++allowed;
          refusals_in_a_row = 0;
        } else if (r.status == 429 && r.body.value("reason", "") == "quota_exceeded") {
          ++refused;
          ++refusals_in_a_row;
        } else {
          failed = true;
          ADD_FAILURE() << r.status << " " << r.raw.body;
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_FALSE(failed.load());
  RecordProperty("allowed", static_cast<int>(allowed.load()));
  EXPECT_LE(allowed.load(), limit) << "never more than the limit";
  EXPECT_GE(allowed.load(), limit - limit / 100) << "within 1% of the limit";
  EXPECT_EQ(Recorded(agent.id), allowed.load());
  EXPECT_GT(refused.load(), 0);
}

}  // namespace
}  // namespace oakgate::test
