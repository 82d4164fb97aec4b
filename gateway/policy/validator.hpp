#pragma once
// The checks of POST /v1/validate (CONTRACT §6) as one ordered list, run by both of its paths:
// memory only on the reactor thread, and with the database on a worker. The order, and what
// each check answers:
//   1. key         an address that failed too many key lookups: 429 too_many_requests,
//                  before any lookup; no API key, or not pk_<id>.sk_<secret>:
//                  invalid_api_key_format; unknown or wrong secret: invalid_api_key (both
//                  counted for the address, security.md G10); then, for the secret's holder
//                  only, api_key_revoked (a disabled user's keys too) and api_key_expired
//   2. rate limit  every authenticated request takes a token, whatever its fate after; an
//                  empty bucket is 429 rate_limited; a bucket that cannot be reached is 503
//   3. body        tool, scope, reasoning and context within their limits, else 400
//   4. quota       the organization's monthly decision limit (CONTRACT §9): once its
//                  decisions of the month (UTC, by the injected Clock) reach it, 429
//                  quota_exceeded with Retry-After to the month's end, counted, not recorded;
//                  a limit that cannot be reached is 503. Here because every request past this
//                  point is recorded (allowed or denied: a decision), and none before it is:
//                  after the key (which names the agent, so the organization) and the rate
//                  limit (an agent's flood is refused by its own bucket first, and costs the
//                  organization's allowance nothing), after the body (a 400 is no decision),
//                  and before the policy read (a spent month reads nothing more).
//   5. policy      the agent's tool and candidate rules for (tool, scope), unless the agent
//                  is disabled (nothing to read then); a database failure is 503
//   6. rules       policy::Evaluate: agent_disabled, unknown_tool, unknown_scope, key_scope,
//                  then the first rule, most specific level first, by priority then id, whose
//                  conditions hold: deny (denied_by_rule), ask, or allow, and its reasoning;
//                  none is no_rule (with the first failed condition). Default deny.
//   7. approval    an ask rule (CONTRACT §10): with the body's approval_id, an approved approval
//                  for the same tool, scope and context is used (one allowed decision, recorded
//                  with it in one transaction), any other state denies (approval_denied, _used,
//                  _expired, _mismatch); without one, the agent's pending approval for the same
//                  request is found or opened, recorded with a pending decision: 202. Database
//                  only: a policy with an ask rule, or a body with approval_id, is never
//                  decided from memory. A database failure is 503.
// A decision (allowed or denied by step 5) comes with its record, whose id and time come from
// the injected Clock and Random; the caller records it and answers once it is durable.
//
// Memory only, everything the checks read (the key's row, the agent's policy) must be in
// memory, and is looked up before the first check runs: so a request sent on to the database
// path has changed nothing, since the one write, the rate-limit token, happens in its place
// after every read. The month's unit is taken with those reads, before the token, and given
// back when the token sends the request on after all. There the validator answers only decisions;
// every error and refusal is the database path's, which counts them, and so is anything not in
// memory.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/apikey/key_verifier.hpp"
#include "gateway/crypto/random.hpp"
#include "gateway/oauth/lookup_throttle.hpp"
#include "gateway/policy/monthly_quota.hpp"
#include "gateway/policy/rules.hpp"
#include "gateway/policy/shared_rate_limiter.hpp"
#include "gateway/policy/token_bucket.hpp"
#include "gateway/store/agent_store.hpp"
#include "gateway/store/approval_store.hpp"
#include "gateway/store/decision_store.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::policy {

// What the request asks (its JSON body, parsed and within its limits).
struct Question {
  std::string tool;
  std::string scope;
  std::optional<std::string> reasoning;
  std::optional<std::string> context_json;  // canonical JSON (sorted keys), as recorded
  nlohmann::json context;                   // the same, parsed; null when absent
  std::optional<std::string> approval_id;   // a UUID (CONTRACT §10)
};

struct ValidateInput {
  // The API key as presented (X-API-Key, else Authorization: Bearer); nullopt when the
  // request carries none.
  std::optional<std::string_view> presented_key;
  // nullopt when the body was refused: the caller holds the 400 to send.
  std::optional<Question> question;
  std::string_view request_id;
  // Where the request comes from: failed key lookups are counted per address.
  std::string_view client_address;
};

// Where a validation may look.
enum class Reach {
  kMemory,    // the reactor thread: caches and leased tokens only; never blocks
  kDatabase,  // a worker: reads PostgreSQL when memory does not hold the answer
};

// An agent's tools and rules for one (tool, scope), compiled.
class PolicySource {
 public:
  virtual ~PolicySource() = default;
  // Memory only: null when not cached. Counts hits only (a miss is counted by Load).
  virtual std::shared_ptr<const CompiledPolicy> Cached(std::string_view agent_id,
                                                       std::string_view tool,
                                                       std::string_view scope) = 0;
  // May read the database: throws util::ServiceUnavailable when it cannot answer.
  virtual std::shared_ptr<const CompiledPolicy> Load(std::string_view agent_id,
                                                     std::string_view tool,
                                                     std::string_view scope) = 0;
};

struct Outcome {
  enum class Kind {
    kNeedsDatabase,     // memory only: the answer needs the database path
    kKeyRefused,        // 401 with key_error
    kLookupsThrottled,  // 429: the address failed too many key lookups (retry_after)
    kRateLimited,       // 429
    kQuotaExceeded,     // 429: the organization's month is spent (retry_after)
    kBadInput,          // the body was refused: the caller's 400
    kUnavailable,       // 503: the database could not answer (detail for the log)
    kDecided,           // a decision: record it, then answer
    kPending,           // 202: an approval is awaited; it and its decision are recorded
    kRecorded,          // an approval's use: allowed, and already recorded; answer at once
    kIdentified,        // Identify only: the key is good; the agent is agent_id
  };
  Kind kind = Kind::kNeedsDatabase;
  apikey::KeyError key_error = apikey::KeyError::kInvalid;
  // From the rate-limit check on (so not for a key refusal, nor when the bucket could not
  // be reached): the RateLimit-* headers every later answer carries.
  std::optional<BucketAnswer> bucket;
  std::string agent_id;     // from the key check on
  std::string detail;       // kUnavailable
  int64_t retry_after = 0;  // kLookupsThrottled, kQuotaExceeded: seconds
  Verdict verdict;          // kDecided, kPending, kRecorded
  // What verdict.rule points into, kept alive with the outcome (a cache may drop it).
  std::shared_ptr<const CompiledPolicy> policy;
  store::DecisionRecord record;  // kDecided: what to record before answering
  // The approval asked for or named (kPending, kRecorded, and approval_* denials).
  struct ApprovalRef {
    std::string id;
    int64_t expires_at = 0;  // Unix seconds; kPending only
  };
  std::optional<ApprovalRef> approval;
};

// A decision id: a UUID of RFC 9562 version 7, 48 bits of Unix milliseconds then 74 random
// bits (from the first 16 bytes of `random`). Ids that grow with time go to the right end of
// the decisions primary key instead of a random page of it; 74 CSPRNG bits still make an id
// unguessable (and an id alone opens nothing: decisions are read by their owner).
std::string DecisionId(int64_t unix_ms, std::string_view random16);
// The hash an approval is bound to: SHA-256 of the context's canonical JSON, or of "null".
std::string ContextHash(const std::optional<std::string>& context_json);

class Validator {
 public:
  // `lookups` (optional) counts failed key lookups per address; `quota` (optional) holds the
  // organizations' monthly limits; `approvals` (optional: without it an ask rule is 503)
  // opens and uses approvals, on the calling thread's connection.
  Validator(apikey::KeyCheck& keys, RateLimiter& buckets, PolicySource& policies,
            const util::Clock& clock, crypto::Random& random,
            oauth::LookupThrottle* lookups = nullptr, QuotaCheck* quota = nullptr,
            store::ApprovalStore* approvals = nullptr)
      : keys_(keys),
        buckets_(buckets),
        policies_(policies),
        clock_(clock),
        random_(random),
        lookups_(lookups),
        quota_(quota),
        approvals_(approvals) {}

  // Runs the checks in order. Key verification's own database failures are thrown
  // (util::ServiceUnavailable), as the key check cannot answer anything else.
  Outcome Decide(ValidateInput input, Reach reach);

  // The key check alone, on the database path, for the agent's other requests (its
  // approvals, CONTRACT §10): kIdentified with agent_id, or the key check's refusal.
  Outcome Identify(std::optional<std::string_view> presented_key, std::string_view client_address,
                   std::string_view request_id);

  // The names of the checks, in the order they run.
  static std::array<std::string_view, 7> CheckNames();

 private:
  struct Run;
  // A check either lets the request go on (false) or ends it with run.out (true).
  using Check = bool (Validator::*)(Run& run);
  struct NamedCheck {
    std::string_view name;
    Check check;
  };
  static const std::array<NamedCheck, 7> kChecks;

  bool ReadFromMemory(Run& run);
  bool CheckKey(Run& run);
  bool TakeToken(Run& run);
  bool CheckBody(Run& run);
  bool TakeQuota(Run& run);
  bool ReadPolicy(Run& run);
  bool ApplyRules(Run& run);
  bool SettleApproval(Run& run);
  store::AuditEvent ApprovalEvent(const Run& run, std::string type) const;

  apikey::KeyCheck& keys_;
  RateLimiter& buckets_;
  PolicySource& policies_;
  const util::Clock& clock_;
  crypto::Random& random_;
  oauth::LookupThrottle* lookups_;
  QuotaCheck* quota_;
  store::ApprovalStore* approvals_;
};

}  // namespace oakgate::policy
