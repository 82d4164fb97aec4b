// The order of /v1/validate's checks (CONTRACT §6) and its two paths, with small fakes for the
// key check, the bucket and the policy: no database, no clock, no sockets.
#include "gateway/policy/validator.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "gateway/policy/policy_cache.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::policy {
namespace {

using Kind = Outcome::Kind;
using KeyAnswer = util::Result<apikey::VerifiedKey, apikey::KeyError>;

constexpr std::string_view kGoodKey = "pk_aaaaaaaaaaaaaaaa.sk_good";

// What each fake answers; every field's default lets the request through.
struct World {
  std::optional<apikey::KeyError> key_error;  // what verifying the key answers
  bool agent_enabled = true;
  std::vector<std::string> key_scopes;
  int64_t tokens = 5;      // in the bucket
  bool bucket_up = true;   // false: the bucket's database is unreachable
  bool policy_up = true;   // false: the policy's database is unreachable
  bool tool_known = true;  // the agent has the tool "github"
  std::vector<std::string> tool_scopes = {"read", "admin"};
  std::vector<store::Rule> rules = {{"r-exact", "github", "read", "none"},
                                    {"r-admin", "github", "admin", "hard"}};
  // What memory holds (the memory path only).
  bool key_cached = true;
  bool policy_cached = true;
  bool lease_due = false;  // the bucket needs a statement before its next token
};

apikey::VerifiedKey Key(const World& w) {
  apikey::VerifiedKey k;
  k.key_id = "pk_aaaaaaaaaaaaaaaa";
  k.agent_id = "agent-1";
  k.user_id = "user-1";
  k.agent_user_id = "user-1";
  k.org_id = "org-1";
  k.scopes = w.key_scopes;
  k.agent_enabled = w.agent_enabled;
  k.rate_limit = 60;
  k.burst = 5;
  return k;
}

class FakeKeys : public apikey::KeyCheck {
 public:
  explicit FakeKeys(const World& w) : w_(w) {}
  KeyAnswer Verify(std::string_view presented) override {
    ++verified;
    return Answer(presented);
  }
  std::optional<KeyAnswer> TryCached(std::string_view presented) override {
    if (!w_.key_cached) return std::nullopt;
    return Answer(presented);
  }
  int verified = 0;

 private:
  KeyAnswer Answer(std::string_view presented) const {
    if (presented.substr(0, 3) != "pk_") return util::Fail(apikey::KeyError::kInvalidFormat);
    if (w_.key_error) return util::Fail(*w_.key_error);
    return Key(w_);
  }
  const World& w_;
};

class FakeBuckets : public RateLimiter {
 public:
  explicit FakeBuckets(const World& w) : tokens(w.tokens), w_(w) {}
  BucketAnswer Take(const std::string&, int64_t, int64_t burst, int64_t now_ms) override {
    if (!w_.bucket_up) throw util::ServiceUnavailable("rate_buckets: connection refused");
    last_now_ms = now_ms;
    return TakeOne(burst);
  }
  std::optional<BucketAnswer> TryTake(const std::string&, int64_t, int64_t burst,
                                      int64_t now_ms) override {
    if (w_.lease_due) return std::nullopt;
    last_now_ms = now_ms;
    if (tokens == 0) return Refused(burst);  // a refusal takes nothing
    return TakeOne(burst);
  }
  int64_t tokens;
  int taken = 0;
  int64_t last_now_ms = -1;

 private:
  BucketAnswer TakeOne(int64_t burst) {
    if (tokens == 0) return Refused(burst);
    --tokens;
    ++taken;
    return BucketAnswer{true, burst, tokens, 12, 0};
  }
  static BucketAnswer Refused(int64_t burst) { return BucketAnswer{false, burst, 0, 12, 12}; }
  const World& w_;
};

class FakePolicies : public PolicySource {
 public:
  explicit FakePolicies(const World& w) : w_(w) {}
  std::shared_ptr<const CompiledPolicy> Cached(std::string_view, std::string_view,
                                               std::string_view) override {
    if (!w_.policy_cached) return nullptr;
    return CompilePolicy(Slice());
  }
  std::shared_ptr<const CompiledPolicy> Load(std::string_view agent_id, std::string_view tool,
                                             std::string_view scope) override {
    ++loaded;
    asked = std::string(agent_id) + "/" + std::string(tool) + "/" + std::string(scope);
    if (!w_.policy_up) throw util::ServiceUnavailable("agents: connection refused");
    return CompilePolicy(Slice());
  }
  int loaded = 0;
  std::string asked;

 private:
  store::PolicySlice Slice() const {
    store::PolicySlice s;
    if (w_.tool_known) s.tool = store::Tool{"github", w_.tool_scopes, ""};
    s.rules = w_.rules;
    return s;
  }
  const World& w_;
};

class FixedClock : public util::Clock {
 public:
  int64_t NowSeconds() const override { return 1'800'000'000; }
  int64_t NowMillis() const override { return 1'800'000'000'123; }
  int64_t MonotonicMillis() const override { return 42'000; }
};

class FixedRandom : public crypto::Random {
 public:
  std::string Bytes(size_t n) override { return std::string(n, '\xab'); }
};

// A question of tool, scope, reasoning and context JSON (no approval_id).
Question MakeQuestion(std::string tool, std::string scope, std::optional<std::string> reasoning,
                      std::optional<std::string> context_json) {
  Question q;
  q.tool = std::move(tool);
  q.scope = std::move(scope);
  q.reasoning = std::move(reasoning);
  q.context_json = std::move(context_json);
  return q;
}

struct Ask {
  std::optional<std::string_view> key = kGoodKey;
  bool body_ok = true;
  std::string tool = "github";
  std::string scope = "read";
  std::optional<std::string> reasoning;
};

Ask WithKey(std::optional<std::string_view> key) {
  Ask a;
  a.key = key;
  return a;
}
Ask BadBody() {
  Ask a;
  a.body_ok = false;
  return a;
}
Ask ForScope(std::string scope, std::optional<std::string> reasoning = std::nullopt) {
  Ask a;
  a.scope = std::move(scope);
  a.reasoning = std::move(reasoning);
  return a;
}
Ask WithReasoning(std::string reasoning) { return ForScope("read", std::move(reasoning)); }

// One validation against fresh fakes of `w`.
struct Trial {
  explicit Trial(World world)
      : w(std::move(world)),
        keys(w),
        buckets(w),
        policies(w),
        validator(keys, buckets, policies, clock, random) {}
  Outcome Run(const Ask& ask, Reach reach) {
    ValidateInput in;
    in.presented_key = ask.key;
    in.request_id = "req-1";
    if (ask.body_ok) in.question = MakeQuestion(ask.tool, ask.scope, ask.reasoning, "{\"pr\":42}");
    return validator.Decide(std::move(in), reach);
  }
  World w;
  FakeKeys keys;
  FakeBuckets buckets;
  FakePolicies policies;
  FixedClock clock;
  FixedRandom random;
  Validator validator;
};

// What a test expects: the kind, and the reason a decision was denied or a key refused.
struct Expect {
  Kind kind;
  std::optional<DenyReason> deny;  // kDecided: nullopt when allowed
  std::optional<apikey::KeyError> key_error;
  bool bucket_headers;
};

std::string Describe(const Outcome& o) {
  std::string s = "kind " + std::to_string(static_cast<int>(o.kind));
  if (o.kind == Kind::kDecided) {
    s += o.verdict.allowed ? " allowed"
                           : " denied " + std::string(DenyReasonString(*o.verdict.reason));
  }
  if (o.kind == Kind::kKeyRefused) s += " " + std::string(apikey::KeyErrorCode(o.key_error));
  return s;
}

void Check(const Outcome& o, const Expect& e, const std::string& what) {
  ASSERT_EQ(o.kind, e.kind) << what << ": got " << Describe(o);
  if (e.kind == Kind::kDecided) {
    EXPECT_EQ(o.verdict.allowed, !e.deny) << what;
    EXPECT_EQ(o.verdict.reason, e.deny) << what << ": got " << Describe(o);
  }
  if (e.kind == Kind::kKeyRefused) {
    EXPECT_EQ(o.key_error, e.key_error) << what;
  }
  EXPECT_EQ(o.bucket.has_value(), e.bucket_headers) << what;
}

struct Case {
  std::string what;
  World world;
  Ask ask;
  Expect expect;
};

World With(void (*change)(World&)) {
  World w;
  change(w);
  return w;
}

const Expect kAllowed{Kind::kDecided, std::nullopt, std::nullopt, true};
Expect Denied(DenyReason r) { return Expect{Kind::kDecided, r, std::nullopt, true}; }
Expect KeyRefused(apikey::KeyError e) { return Expect{Kind::kKeyRefused, std::nullopt, e, false}; }

// Each check's own answer, and, where several fail at once, the earliest check's.
std::vector<Case> Cases() {
  using apikey::KeyError;
  return {
      {"everything in order", World{}, Ask{}, kAllowed},
      // 1. the key
      {"no key", World{}, WithKey(std::nullopt), KeyRefused(KeyError::kInvalidFormat)},
      {"malformed key", World{}, WithKey("xk_nope"), KeyRefused(KeyError::kInvalidFormat)},
      {"unknown key", With([](World& w) { w.key_error = apikey::KeyError::kInvalid; }), Ask{},
       KeyRefused(KeyError::kInvalid)},
      {"revoked key", With([](World& w) { w.key_error = apikey::KeyError::kRevoked; }), Ask{},
       KeyRefused(KeyError::kRevoked)},
      {"expired key", With([](World& w) { w.key_error = apikey::KeyError::kExpired; }), Ask{},
       KeyRefused(KeyError::kExpired)},
      {"a bad key beats an empty bucket, a bad body and a disabled agent", With([](World& w) {
         w.key_error = apikey::KeyError::kRevoked;
         w.tokens = 0;
         w.agent_enabled = false;
       }),
       BadBody(), KeyRefused(KeyError::kRevoked)},
      {"a bad key beats an unreachable bucket", With([](World& w) {
         w.key_error = apikey::KeyError::kInvalid;
         w.bucket_up = false;
       }),
       Ask{}, KeyRefused(KeyError::kInvalid)},
      // 2. the rate limit
      {"empty bucket", With([](World& w) { w.tokens = 0; }), Ask{},
       Expect{Kind::kRateLimited, std::nullopt, std::nullopt, true}},
      {"unreachable bucket: 503 without bucket headers",
       With([](World& w) { w.bucket_up = false; }), Ask{},
       Expect{Kind::kUnavailable, std::nullopt, std::nullopt, false}},
      {"an empty bucket beats a bad body, a disabled agent and no rule", With([](World& w) {
         w.tokens = 0;
         w.agent_enabled = false;
         w.rules.clear();
       }),
       BadBody(), Expect{Kind::kRateLimited, std::nullopt, std::nullopt, true}},
      // 3. the body
      {"bad body", World{}, BadBody(), Expect{Kind::kBadInput, std::nullopt, std::nullopt, true}},
      {"a bad body beats a disabled agent and an unreachable policy", With([](World& w) {
         w.agent_enabled = false;
         w.policy_up = false;
       }),
       BadBody(), Expect{Kind::kBadInput, std::nullopt, std::nullopt, true}},
      // 4. the policy
      {"unreachable policy: 503 with bucket headers", With([](World& w) { w.policy_up = false; }),
       Ask{}, Expect{Kind::kUnavailable, std::nullopt, std::nullopt, true}},
      {"a disabled agent is denied without reading its policy", With([](World& w) {
         w.agent_enabled = false;
         w.policy_up = false;
       }),
       Ask{}, Denied(DenyReason::kAgentDisabled)},
      // 5. the rules
      {"disabled agent", With([](World& w) { w.agent_enabled = false; }), Ask{},
       Denied(DenyReason::kAgentDisabled)},
      {"a disabled agent beats an unknown tool, key scope and no rule", With([](World& w) {
         w.agent_enabled = false;
         w.tool_known = false;
         w.key_scopes = {"slack:*"};
         w.rules.clear();
       }),
       Ask{}, Denied(DenyReason::kAgentDisabled)},
      {"unknown tool", With([](World& w) { w.tool_known = false; }), Ask{},
       Denied(DenyReason::kUnknownTool)},
      {"an unknown tool even with a * rule", With([](World& w) {
         w.tool_known = false;
         w.rules = {{"r-any", "*", "*", "none"}};
       }),
       Ask{}, Denied(DenyReason::kUnknownTool)},
      {"unknown scope", World{}, ForScope("delete"), Denied(DenyReason::kUnknownScope)},
      {"an unknown scope beats key scope and no rule", With([](World& w) {
         w.key_scopes = {"slack:*"};
         w.rules.clear();
       }),
       ForScope("delete"), Denied(DenyReason::kUnknownScope)},
      {"key scope", With([](World& w) { w.key_scopes = {"slack:*"}; }), Ask{},
       Denied(DenyReason::kKeyScope)},
      {"key scope beats no rule", With([](World& w) {
         w.key_scopes = {"github:admin"};
         w.rules.clear();
       }),
       Ask{}, Denied(DenyReason::kKeyScope)},
      {"no rule", With([](World& w) { w.rules.clear(); }), Ask{}, Denied(DenyReason::kNoRule)},
      {"a hard rule without reasoning", World{}, ForScope("admin"),
       Denied(DenyReason::kReasoningRequired)},
      {"a hard rule with blank reasoning", World{}, ForScope("admin", " \n"),
       Denied(DenyReason::kReasoningRequired)},
      {"a hard rule with reasoning", World{}, ForScope("admin", "rotate"), kAllowed},
  };
}

// Failed key lookups per address (security.md G10), as policy::SharedLookupThrottle answers.
class FakeLookups : public oauth::LookupThrottle {
 public:
  int64_t blocked = 0;     // what Blocked answers
  int64_t over_after = 0;  // Failed answers 7 once this many failures were counted (0: never)
  std::vector<std::string> failures;
  int64_t Blocked(const std::string&) override { return blocked; }
  int64_t Failed(const std::string& address) override {
    failures.push_back(address);
    return over_after > 0 && static_cast<int64_t>(failures.size()) >= over_after ? 7 : 0;
  }
};

TEST(Validator, MalformedAndUnknownKeysCountAgainstTheirAddressAndNothingElseDoes) {
  struct Row {
    std::string what;
    World world;
    Ask ask;
    bool counted;
  };
  const std::vector<Row> rows = {
      {"no key", World{}, WithKey(std::nullopt), true},
      {"malformed key", World{}, WithKey("xk_nope"), true},
      {"unknown key", With([](World& w) { w.key_error = apikey::KeyError::kInvalid; }), Ask{},
       true},
      {"revoked key (its secret matched)",
       With([](World& w) { w.key_error = apikey::KeyError::kRevoked; }), Ask{}, false},
      {"expired key (its secret matched)",
       With([](World& w) { w.key_error = apikey::KeyError::kExpired; }), Ask{}, false},
      {"a valid key", World{}, Ask{}, false},
      {"a valid key with an empty bucket", With([](World& w) { w.tokens = 0; }), Ask{}, false},
  };
  for (const Row& r : rows) {
    Trial t(r.world);
    FakeLookups lookups;
    Validator v(t.keys, t.buckets, t.policies, t.clock, t.random, &lookups);
    ValidateInput in;
    in.presented_key = r.ask.key;
    in.client_address = "203.0.113.7";
    in.question = MakeQuestion(r.ask.tool, r.ask.scope, r.ask.reasoning, std::nullopt);
    v.Decide(std::move(in), Reach::kDatabase);
    EXPECT_EQ(lookups.failures,
              r.counted ? std::vector<std::string>{"203.0.113.7"} : std::vector<std::string>{})
        << r.what;
  }
}

TEST(Validator, AnAddressOverItsLookupLimitIsRefusedBeforeAnyLookupOnBothPaths) {
  Trial t{World{}};
  FakeLookups lookups;
  lookups.blocked = 30;
  Validator v(t.keys, t.buckets, t.policies, t.clock, t.random, &lookups);
  auto input = [] {
    ValidateInput in;
    in.presented_key = kGoodKey;
    in.client_address = "203.0.113.7";
    in.question = MakeQuestion("github", "read", std::nullopt, std::nullopt);
    return in;
  };
  Outcome o = v.Decide(input(), Reach::kDatabase);
  EXPECT_EQ(o.kind, Kind::kLookupsThrottled);
  EXPECT_EQ(o.retry_after, 30);
  EXPECT_FALSE(o.bucket.has_value());
  EXPECT_EQ(t.keys.verified, 0);
  EXPECT_EQ(t.buckets.taken, 0);
  // The reactor leaves it to the pool, which answers every refusal.
  EXPECT_EQ(v.Decide(input(), Reach::kMemory).kind, Kind::kNeedsDatabase);
  EXPECT_EQ(t.buckets.taken, 0);
}

TEST(Validator, TheFailureThatGoesOverTheLimitIsAnsweredWithTheWait) {
  Trial t(With([](World& w) { w.key_error = apikey::KeyError::kInvalid; }));
  FakeLookups lookups;
  lookups.over_after = 2;
  Validator v(t.keys, t.buckets, t.policies, t.clock, t.random, &lookups);
  ValidateInput first;
  first.presented_key = kGoodKey;
  EXPECT_EQ(v.Decide(std::move(first), Reach::kDatabase).kind, Kind::kKeyRefused);
  ValidateInput second;
  second.presented_key = kGoodKey;
  Outcome o = v.Decide(std::move(second), Reach::kDatabase);
  EXPECT_EQ(o.kind, Kind::kLookupsThrottled);
  EXPECT_EQ(o.retry_after, 7);
}

TEST(Validator, ChecksRunInTheContractOrder) {
  EXPECT_EQ(Validator::CheckNames(),
            (std::array<std::string_view, 7>{"key", "rate_limit", "body", "quota", "policy",
                                             "rules", "approval"}));
}

TEST(Validator, EachCheckAnswersAndTheEarliestFailingCheckWins) {
  for (const Case& c : Cases()) {
    Trial t(c.world);
    Check(t.Run(c.ask, Reach::kDatabase), c.expect, c.what);
  }
}

TEST(Validator, EveryAuthenticatedRequestTakesATokenAndOnlyThose) {
  for (const Case& c : Cases()) {
    Trial t(c.world);
    Outcome o = t.Run(c.ask, Reach::kDatabase);
    bool authenticated = o.kind != Kind::kKeyRefused;
    bool counted = authenticated && c.world.bucket_up && c.world.tokens > 0;
    EXPECT_EQ(t.buckets.taken, counted ? 1 : 0) << c.what;
  }
}

// The memory path answers exactly what the database path answers, or leaves the request to
// it having changed nothing (no token taken), so the database path then counts it once.
TEST(Validator, TheMemoryPathAgreesWithTheDatabasePathOrChangesNothing) {
  for (const Case& c : Cases()) {
    // Memory may still hold what an unreachable database cannot give: nothing to compare.
    if (!c.world.bucket_up || !c.world.policy_up) continue;
    Trial db(c.world);
    Outcome expected = db.Run(c.ask, Reach::kDatabase);
    Trial mem(c.world);
    Outcome got = mem.Run(c.ask, Reach::kMemory);
    EXPECT_EQ(mem.keys.verified + mem.policies.loaded, 0) << c.what << ": memory only";
    if (got.kind == Kind::kNeedsDatabase) {
      EXPECT_NE(expected.kind, Kind::kDecided) << c.what << ": a decision memory could make";
      EXPECT_EQ(mem.buckets.taken, 0) << c.what;
      continue;
    }
    ASSERT_EQ(got.kind, Kind::kDecided) << c.what << ": memory answers only decisions";
    ASSERT_EQ(expected.kind, Kind::kDecided) << c.what;
    EXPECT_EQ(got.verdict.allowed, expected.verdict.allowed) << c.what;
    EXPECT_EQ(got.verdict.reason, expected.verdict.reason) << c.what;
    EXPECT_EQ(got.record.id, expected.record.id) << c.what;
    EXPECT_EQ(got.record.rule_id, expected.record.rule_id) << c.what;
    EXPECT_EQ(got.bucket->remaining, expected.bucket->remaining) << c.what;
    EXPECT_EQ(mem.buckets.taken, 1) << c.what;
  }
}

TEST(Validator, MemoryDefersWithoutATokenWheneverItLacksSomething) {
  struct Gap {
    std::string what;
    World world;
    Ask ask;
  };
  const std::vector<Gap> gaps = {
      {"the key is not cached", With([](World& w) { w.key_cached = false; }), Ask{}},
      {"the policy is not cached", With([](World& w) { w.policy_cached = false; }), Ask{}},
      {"the bucket needs a lease", With([](World& w) { w.lease_due = true; }), Ask{}},
      {"the bucket is empty", With([](World& w) { w.tokens = 0; }), Ask{}},
      {"the key is refused", With([](World& w) { w.key_error = apikey::KeyError::kRevoked; }),
       Ask{}},
      {"no key", World{}, WithKey(std::nullopt)},
      {"the body is refused", World{}, BadBody()},
  };
  for (const Gap& g : gaps) {
    Trial t(g.world);
    Outcome o = t.Run(g.ask, Reach::kMemory);
    EXPECT_EQ(o.kind, Kind::kNeedsDatabase) << g.what;
    EXPECT_EQ(t.buckets.taken, 0) << g.what;
  }
  // A disabled agent needs no policy, so none has to be cached.
  Trial disabled(With([](World& w) {
    w.agent_enabled = false;
    w.policy_cached = false;
  }));
  Outcome o = disabled.Run(Ask{}, Reach::kMemory);
  ASSERT_EQ(o.kind, Kind::kDecided);
  EXPECT_EQ(o.verdict.reason, DenyReason::kAgentDisabled);
}

TEST(Validator, ARefusedRequestNeverReadsThePolicy) {
  for (auto change : {+[](World& w) { w.tokens = 0; }, +[](World& w) { w.bucket_up = false; },
                      +[](World& w) { w.key_error = apikey::KeyError::kInvalid; }}) {
    Trial t(With(change));
    t.Run(Ask{}, Reach::kDatabase);
    EXPECT_EQ(t.policies.loaded, 0);
  }
  Trial bad_body{World{}};
  bad_body.Run(BadBody(), Reach::kDatabase);
  EXPECT_EQ(bad_body.policies.loaded, 0);
}

TEST(Validator, ADecisionCarriesItsRecordWithIdAndTimeFromTheInjectedClockAndRandom) {
  Trial t{World{}};
  Outcome o = t.Run(WithReasoning("because"), Reach::kDatabase);
  ASSERT_EQ(o.kind, Kind::kDecided);
  EXPECT_EQ(t.policies.asked, "agent-1/github/read");
  EXPECT_EQ(t.buckets.last_now_ms, 42'000) << "the monotonic clock drives the bucket";
  const store::DecisionRecord& r = o.record;
  EXPECT_EQ(r.id, DecisionId(1'800'000'000'123, std::string(16, '\xab')));
  EXPECT_EQ(r.user_id, "user-1");
  EXPECT_EQ(r.org_id, "org-1");
  EXPECT_EQ(r.agent_id, "agent-1");
  EXPECT_EQ(o.agent_id, "agent-1");
  EXPECT_EQ(r.key_id, "pk_aaaaaaaaaaaaaaaa");
  EXPECT_EQ(r.tool, "github");
  EXPECT_EQ(r.scope, "read");
  EXPECT_TRUE(r.allowed);
  EXPECT_FALSE(r.reason);
  EXPECT_EQ(r.rule_id, "r-exact");
  EXPECT_EQ(r.reasoning, "because");
  EXPECT_FALSE(r.reasoning_required);
  EXPECT_TRUE(r.reasoning_provided);
  EXPECT_EQ(r.context_json, "{\"pr\":42}");
  EXPECT_EQ(r.request_id, "req-1");
  EXPECT_EQ(o.bucket->remaining, 4);

  Trial denied(With([](World& w) { w.rules.clear(); }));
  Outcome d = denied.Run(Ask{}, Reach::kDatabase);
  EXPECT_FALSE(d.record.allowed);
  EXPECT_EQ(d.record.reason, "no_rule");
  EXPECT_FALSE(d.record.rule_id);
}

TEST(Validator, AnUnknownReasoningLevelIsTakenAsHard) {
  Trial t(With([](World& w) { w.rules = {{"r-odd", "github", "read", "sometimes"}}; }));
  Outcome o = t.Run(Ask{}, Reach::kDatabase);
  ASSERT_EQ(o.kind, Kind::kDecided);
  EXPECT_EQ(o.verdict.reason, DenyReason::kReasoningRequired);
}

// The organization's month (CONTRACT §9), as policy::MonthlyQuota answers it.
class FakeQuota : public QuotaCheck {
 public:
  int64_t units = 0;       // what the month has left
  bool lease_due = false;  // memory does not hold the answer
  bool up = true;
  int taken = 0;
  int given_back = 0;
  std::string org;
  int64_t now = 0;
  QuotaAnswer Take(const std::string& org_id, int64_t at) override {
    if (!up) throw util::ServiceUnavailable("org_monthly_allowance: connection refused");
    org = org_id;
    now = at;
    return TakeOne();
  }
  std::optional<QuotaAnswer> TryTake(const std::string& org_id, int64_t at) override {
    if (lease_due) return std::nullopt;
    org = org_id;
    now = at;
    return TakeOne();
  }
  void GiveBack(const std::string&, int64_t) override {
    ++given_back;
    --taken;
    ++units;
  }

 private:
  QuotaAnswer TakeOne() {
    if (units == 0) return QuotaAnswer{false, 99, false};
    --units;
    ++taken;
    return QuotaAnswer{true, 0, true};
  }
};

Outcome RunWithQuota(Trial& t, FakeQuota& quota, const Ask& ask, Reach reach) {
  Validator v(t.keys, t.buckets, t.policies, t.clock, t.random, nullptr, &quota);
  ValidateInput in;
  in.presented_key = ask.key;
  if (ask.body_ok) in.question = MakeQuestion(ask.tool, ask.scope, ask.reasoning, std::nullopt);
  return v.Decide(std::move(in), reach);
}

TEST(Validator, ASpentMonthIsRefusedWithItsWaitAfterTheRateLimitAndBeforeThePolicyIsRead) {
  Trial t{World{}};
  FakeQuota quota;
  Outcome o = RunWithQuota(t, quota, Ask{}, Reach::kDatabase);
  ASSERT_EQ(o.kind, Kind::kQuotaExceeded);
  EXPECT_EQ(o.retry_after, 99);
  EXPECT_EQ(quota.org, "org-1");
  EXPECT_EQ(quota.now, 1'800'000'000) << "the month is the injected clock's";
  EXPECT_TRUE(o.bucket.has_value()) << "after the rate limit: RateLimit-* headers";
  EXPECT_EQ(t.buckets.taken, 1);
  EXPECT_EQ(t.policies.loaded, 0);
  EXPECT_EQ(o.agent_id, "agent-1");
}

TEST(Validator, OnlyRequestsThatWillBeRecordedSpendTheMonth) {
  // Refused before the quota: an empty bucket, a bad body, a bad key take no unit.
  for (auto [what, world, ask] : std::vector<std::tuple<std::string, World, Ask>>{
           {"empty bucket", With([](World& w) { w.tokens = 0; }), Ask{}},
           {"bad body", World{}, BadBody()},
           {"revoked key", With([](World& w) { w.key_error = apikey::KeyError::kRevoked; }),
            Ask{}}}) {
    Trial t(world);
    FakeQuota quota;
    quota.units = 5;
    RunWithQuota(t, quota, ask, Reach::kDatabase);
    EXPECT_EQ(quota.taken, 0) << what;
  }
  // Every decision, allowed or denied, takes one.
  Trial denied(With([](World& w) { w.agent_enabled = false; }));
  FakeQuota quota;
  quota.units = 5;
  Outcome o = RunWithQuota(denied, quota, Ask{}, Reach::kDatabase);
  ASSERT_EQ(o.kind, Kind::kDecided);
  EXPECT_EQ(quota.taken, 1);
  // An unreachable allowance is a 503, not a free decision.
  Trial down{World{}};
  FakeQuota unreachable;
  unreachable.units = 5;
  unreachable.up = false;
  EXPECT_EQ(RunWithQuota(down, unreachable, Ask{}, Reach::kDatabase).kind, Kind::kUnavailable);
}

TEST(Validator, TheMemoryPathGivesBackTheMonthsUnitWhenItSendsTheRequestOn) {
  Trial t(With([](World& w) { w.lease_due = true; }));
  FakeQuota quota;
  quota.units = 5;
  EXPECT_EQ(RunWithQuota(t, quota, Ask{}, Reach::kMemory).kind, Kind::kNeedsDatabase);
  EXPECT_EQ(quota.taken, 0);
  EXPECT_EQ(quota.given_back, 1);
  // A spent month, or a lease due, is the pool's: nothing taken at all.
  Trial spent{World{}};
  FakeQuota none;
  EXPECT_EQ(RunWithQuota(spent, none, Ask{}, Reach::kMemory).kind, Kind::kNeedsDatabase);
  EXPECT_EQ(spent.buckets.taken, 0);
  FakeQuota due;
  due.units = 5;
  due.lease_due = true;
  Trial lease{World{}};
  EXPECT_EQ(RunWithQuota(lease, due, Ask{}, Reach::kMemory).kind, Kind::kNeedsDatabase);
  EXPECT_EQ(lease.buckets.taken, 0);
  // Held in memory: decided there, one unit and one token.
  Trial held{World{}};
  FakeQuota some;
  some.units = 5;
  EXPECT_EQ(RunWithQuota(held, some, Ask{}, Reach::kMemory).kind, Kind::kDecided);
  EXPECT_EQ(some.taken, 1);
  EXPECT_EQ(held.buckets.taken, 1);
}

TEST(MonthOf, GivesTheUtcMonthAndItsEnd) {
  MonthSpan m = MonthOf(1'798'761'599);  // 2026-12-31T23:59:59Z
  EXPECT_EQ(m.name, "2026-12");
  EXPECT_EQ(m.first_day, "2026-12-01");
  EXPECT_EQ(m.end - 1'798'761'599, 1) << "December ends at the new year";
  EXPECT_EQ(MonthOf(m.end).name, "2027-01");
  EXPECT_EQ(MonthOf(1'709'164'800).end, 1'709'251'200) << "2024-02-29 is February's last day";
  EXPECT_EQ(ParseMonth("2024-02")->first_day, "2024-02-01");
  for (std::string_view bad : {"2024-2", "2024-13", "2024-00", "24-02", "2024/02", "2024-02-01",
                               "1969-12", "", "２０２４-02"}) {
    EXPECT_FALSE(ParseMonth(bad)) << bad;
  }
}

TEST(BlockFor, IsAFiveHundredthOfTheLimitBetweenOneAndAThousand) {
  EXPECT_EQ(BlockFor(0), 1);
  EXPECT_EQ(BlockFor(499), 1);
  EXPECT_EQ(BlockFor(2000), 4);
  EXPECT_EQ(BlockFor(10'000'000), 1000);
}

TEST(DecisionId, IsAVersion7UuidWithTheMillisecondsFirst) {
  std::string id = DecisionId(0x0123456789ab, std::string(16, '\xff'));
  EXPECT_EQ(id, "01234567-89ab-7fff-bfff-ffffffffffff");
  std::string zero = DecisionId(0, std::string(16, '\0'));
  EXPECT_EQ(zero, "00000000-0000-7000-8000-000000000000");
  EXPECT_LT(DecisionId(1000, std::string(16, '\xff')), DecisionId(1001, std::string(16, '\0')))
      << "ids sort by time";
}

// The approval check (CONTRACT §10) with a small fake of the approval store.
class FakeApprovals : public store::ApprovalStore {
 public:
  store::Approval Ask(const store::NewApproval& fresh, store::DecisionRecord& pending,
                      const store::AuditEvent& opened, int64_t) override {
    if (down) throw util::ServiceUnavailable("approvals: connection refused");
    asked.push_back(fresh);
    event = opened.type;
    store::Approval a;
    a.id = existing.empty() ? fresh.id : existing;
    a.expires_at = fresh.expires_at;
    pending.approval_id = a.id;
    recorded.push_back(pending);
    return a;
  }
  UseOutcome Use(std::string_view id, std::string_view, std::string_view, std::string_view,
                 std::string_view hash, store::DecisionRecord& allowed,
                 const store::AuditEvent& audit, int64_t) override {
    used_id = std::string(id);
    used_hash = std::string(hash);
    if (use == UseOutcome::kUsed) {
      allowed.approval_id = std::string(id);
      recorded.push_back(allowed);
      event = audit.type;
    }
    return use;
  }
  std::optional<store::Approval> FindForAgent(std::string_view, std::string_view,
                                              int64_t) override {
    return std::nullopt;
  }
  std::vector<store::Approval> List(const store::ApprovalQuery&, int64_t) override { return {}; }
  std::optional<store::Approval> Find(std::string_view, std::string_view, int64_t) override {
    return std::nullopt;
  }
  DecideOutcome Decide(std::string_view, std::string_view, bool, std::string_view,
                       const std::optional<std::string>&, const store::AuditEvent&, int64_t,
                       store::Approval&) override {
    return DecideOutcome::kNotFound;
  }
  bool down = false;
  std::string existing;  // the pending approval Ask finds, if any
  UseOutcome use = UseOutcome::kUsed;
  std::vector<store::NewApproval> asked;
  std::vector<store::DecisionRecord> recorded;
  std::string used_id, used_hash, event;
};

struct ApprovalTrial {
  explicit ApprovalTrial(World world)
      : w(std::move(world)),
        keys(w),
        buckets(w),
        policies(w),
        validator(keys, buckets, policies, clock, random, nullptr, nullptr, &approvals) {}
  Outcome Run(Reach reach, std::optional<std::string> approval_id = std::nullopt) {
    ValidateInput in;
    in.presented_key = kGoodKey;
    in.request_id = "req-1";
    Question q = MakeQuestion("github", "write", std::nullopt, "{\"path\":\"/tmp/x\"}");
    q.approval_id = std::move(approval_id);
    in.question = std::move(q);
    return validator.Decide(std::move(in), reach);
  }
  static World AskWorld() {
    World w;
    w.tool_scopes = {"read", "write"};
    w.rules = {store::Rule{"r-ask", "github", "write", "none", "ask", "[]", 0, 600}};
    return w;
  }
  World w;
  FakeKeys keys;
  FakeBuckets buckets;
  FakePolicies policies;
  FixedClock clock;
  FixedRandom random;
  FakeApprovals approvals;
  Validator validator;
};

TEST(ValidatorApprovals, AnAskPolicyIsNeverDecidedFromMemoryAndTakesNoTokenThere) {
  ApprovalTrial t(ApprovalTrial::AskWorld());
  EXPECT_EQ(t.Run(Reach::kMemory).kind, Kind::kNeedsDatabase);
  EXPECT_EQ(t.buckets.taken, 0);
  EXPECT_TRUE(t.approvals.asked.empty());
  World allow;  // an approval_id goes to the database whatever the rule
  ApprovalTrial with_id(allow);
  EXPECT_EQ(with_id.Run(Reach::kMemory, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b").kind,
            Kind::kNeedsDatabase);
}

TEST(ValidatorApprovals, AnAskOpensAnApprovalForTheRulesTtlAndRecordsThePendingDecisionWithIt) {
  ApprovalTrial t(ApprovalTrial::AskWorld());
  Outcome o = t.Run(Reach::kDatabase);
  ASSERT_EQ(o.kind, Kind::kPending);
  ASSERT_EQ(t.approvals.asked.size(), 1u);
  EXPECT_EQ(t.approvals.asked[0].expires_at, t.clock.NowSeconds() + 600);
  EXPECT_EQ(t.approvals.asked[0].context_hash, ContextHash(std::string("{\"path\":\"/tmp/x\"}")));
  EXPECT_EQ(t.approvals.event, "approval.requested");
  ASSERT_TRUE(o.approval);
  EXPECT_EQ(o.approval->id, t.approvals.asked[0].id);
  EXPECT_EQ(o.record.reason, "pending");
  EXPECT_EQ(o.record.approval_id, o.approval->id);
  EXPECT_FALSE(o.verdict.allowed);
  // A repeated request finds the pending one.
  t.approvals.existing = "already-pending";
  EXPECT_EQ(t.Run(Reach::kDatabase).approval->id, "already-pending");
}

TEST(ValidatorApprovals, AnApprovalIdIsUsedOnceOrDeniedWithItsReason) {
  const std::string id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  using Use = store::ApprovalStore::UseOutcome;
  ApprovalTrial used(ApprovalTrial::AskWorld());
  Outcome o = used.Run(Reach::kDatabase, id);
  ASSERT_EQ(o.kind, Kind::kRecorded) << "the use and its decision are one transaction";
  EXPECT_TRUE(o.verdict.allowed);
  EXPECT_EQ(o.record.approval_id, id);
  EXPECT_FALSE(o.record.reason);
  EXPECT_EQ(used.approvals.used_hash, ContextHash(std::string("{\"path\":\"/tmp/x\"}")));
  EXPECT_EQ(used.approvals.event, "approval.used");
  struct Case {
    Use use;
    DenyReason reason;
  };
  for (const Case& c : {Case{Use::kDenied, DenyReason::kApprovalDenied},
                        Case{Use::kUsedAlready, DenyReason::kApprovalUsed},
                        Case{Use::kExpired, DenyReason::kApprovalExpired},
                        Case{Use::kMismatch, DenyReason::kApprovalMismatch}}) {
    ApprovalTrial t(ApprovalTrial::AskWorld());
    t.approvals.use = c.use;
    Outcome d = t.Run(Reach::kDatabase, id);
    ASSERT_EQ(d.kind, Kind::kDecided) << DenyReasonString(c.reason);
    EXPECT_EQ(d.verdict.reason, c.reason);
    EXPECT_EQ(d.record.reason, std::string(DenyReasonString(c.reason)));
    EXPECT_EQ(d.record.approval_id, id);
    EXPECT_TRUE(t.approvals.asked.empty()) << "nothing new is opened";
  }
  ApprovalTrial pending(ApprovalTrial::AskWorld());
  pending.approvals.use = Use::kPending;
  EXPECT_EQ(pending.Run(Reach::kDatabase, id).kind, Kind::kPending) << "still waiting: 202";
  // Where the rule does not ask, the id is ignored and the rule decides.
  World allow;
  ApprovalTrial plain(allow);
  ValidateInput in;
  in.presented_key = kGoodKey;
  in.question = MakeQuestion("github", "read", std::nullopt, std::nullopt);
  in.question->approval_id = id;
  Outcome p = plain.validator.Decide(std::move(in), Reach::kDatabase);
  EXPECT_EQ(p.kind, Kind::kDecided);
  EXPECT_TRUE(p.verdict.allowed);
  EXPECT_TRUE(plain.approvals.used_id.empty());
}

TEST(ValidatorApprovals, AnApprovalStoreThatCannotAnswerIsA503NeverADecision) {
  ApprovalTrial t(ApprovalTrial::AskWorld());
  t.approvals.down = true;
  EXPECT_EQ(t.Run(Reach::kDatabase).kind, Kind::kUnavailable);
}

}  // namespace
}  // namespace oakgate::policy
