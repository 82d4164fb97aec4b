#include "gateway/policy/validator.hpp"

#include <utility>
#include <vector>

#include "gateway/crypto/sha256.hpp"
#include "gateway/util/errors.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::policy {

// One validation on its way through the checks.
struct Validator::Run {
  ValidateInput input;
  Reach reach;
  std::optional<apikey::VerifiedKey> key;        // memory only: read before the checks
  std::shared_ptr<const CompiledPolicy> policy;  // memory only: read before the checks
  bool quota_taken = false;                      // memory only: a unit of the month is held
  Outcome out;

  bool End(Outcome::Kind kind) {
    out.kind = kind;
    return true;
  }
};

const std::array<Validator::NamedCheck, 7> Validator::kChecks = {{
    {"key", &Validator::CheckKey},
    {"rate_limit", &Validator::TakeToken},
    {"body", &Validator::CheckBody},
    {"quota", &Validator::TakeQuota},
    {"policy", &Validator::ReadPolicy},
    {"rules", &Validator::ApplyRules},
    {"approval", &Validator::SettleApproval},
}};

std::array<std::string_view, 7> Validator::CheckNames() {
  std::array<std::string_view, 7> names;
  for (size_t i = 0; i < kChecks.size(); ++i) names[i] = kChecks[i].name;
  return names;
}

std::string DecisionId(int64_t unix_ms, std::string_view random16) {
  std::string b(random16.substr(0, 16));
  b.resize(16, '\0');
  auto ms = static_cast<uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<char>((ms >> (40 - 8 * i)) & 0xff);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x70);  // RFC 9562 §5.7: version 7
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);  // RFC 9562 §4.1: variant 10
  return util::FormatUuid(b);
}

std::string ContextHash(const std::optional<std::string>& context_json) {
  return crypto::ToBytes(
      crypto::Sha256(context_json ? std::string_view(*context_json) : std::string_view("null")));
}

namespace {

// RFC 9562 §5.4: a random UUID, for approvals (their ids are handed to agents and people).
std::string UuidV4(std::string bytes) {
  bytes.resize(16, '\0');
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
  return bytes;
}

}  // namespace

Outcome Validator::Decide(ValidateInput input, Reach reach) {
  Run run{std::move(input), reach, std::nullopt, nullptr, false, Outcome{}};
  if (reach == Reach::kMemory && !ReadFromMemory(run)) return std::move(run.out);
  for (const NamedCheck& c : kChecks) {
    if ((this->*c.check)(run)) break;
  }
  // Sent on to the database path, which takes a unit of its own.
  if (run.quota_taken && run.out.kind == Outcome::Kind::kNeedsDatabase) {
    quota_->GiveBack(run.key->org_id, clock_.NowSeconds());
  }
  return std::move(run.out);
}

Outcome Validator::Identify(std::optional<std::string_view> presented_key,
                            std::string_view client_address, std::string_view request_id) {
  ValidateInput input;
  input.presented_key = presented_key;
  input.client_address = client_address;
  input.request_id = request_id;
  Run run{std::move(input), Reach::kDatabase, std::nullopt, nullptr, false, Outcome{}};
  if (!CheckKey(run)) run.End(Outcome::Kind::kIdentified);
  return std::move(run.out);
}

// Memory only: whatever the checks will read, before the first one runs (see the header).
// Any error is the database path's too: it answers and counts them.
bool Validator::ReadFromMemory(Run& run) {
  const ValidateInput& in = run.input;
  if (!in.presented_key || !in.question) return false;
  // Refused on the pool, which answers every refusal: one atomic load while nobody is over.
  if (lookups_ && lookups_->Blocked(std::string(in.client_address))) return false;
  auto key = keys_.TryCached(*in.presented_key);
  if (!key || !*key) return false;
  run.key = std::move(key->value());
  // An approval's use or request writes to the database: never decided from memory.
  if (in.question->approval_id) return false;
  if (run.key->agent_enabled) {
    run.policy = policies_.Cached(run.key->agent_id, in.question->tool, in.question->scope);
    if (!run.policy || run.policy->has_ask) return false;
  }
  // Last, being a write: a unit of the month, unless the organization has no limit. A refusal
  // is the pool's to answer and count; a lease due is the pool's to run.
  if (quota_) {
    auto unit = quota_->TryTake(run.key->org_id, clock_.NowSeconds());
    if (!unit || !unit->allowed) return false;
    run.quota_taken = unit->took;
  }
  return true;
}

bool Validator::CheckKey(Run& run) {
  if (run.reach == Reach::kDatabase) {
    const std::string address(run.input.client_address);
    // An address that failed too many lookups learns nothing more until it waits (G10).
    if (lookups_) {
      if ((run.out.retry_after = lookups_->Blocked(address)) > 0) {
        return run.End(Outcome::Kind::kLookupsThrottled);
      }
    }
    util::Result<apikey::VerifiedKey, apikey::KeyError> verified =
        util::Fail(apikey::KeyError::kInvalidFormat);
    if (run.input.presented_key) verified = keys_.Verify(*run.input.presented_key);
    if (!verified) {
      run.out.key_error = verified.error();
      // Malformed and unknown keys are what a scan sends; revoked and expired ones matched
      // their secret, so their holder is no scanner.
      bool failed = verified.error() == apikey::KeyError::kInvalidFormat ||
                    verified.error() == apikey::KeyError::kInvalid;
      if (failed && lookups_ && (run.out.retry_after = lookups_->Failed(address)) > 0) {
        return run.End(Outcome::Kind::kLookupsThrottled);
      }
      return run.End(Outcome::Kind::kKeyRefused);
    }
    run.key = std::move(verified.value());
  }
  run.out.agent_id = run.key->agent_id;
  return false;
}

bool Validator::TakeToken(Run& run) {
  const apikey::VerifiedKey& key = *run.key;
  const int64_t now_ms = clock_.MonotonicMillis();
  if (run.reach == Reach::kMemory) {
    // A lease is due (a statement), or a refusal (counted on the pool): the pool's. Neither
    // took a token.
    auto bucket = buckets_.TryTake(key.agent_id, key.rate_limit, key.burst, now_ms);
    if (!bucket || !bucket->allowed) return run.End(Outcome::Kind::kNeedsDatabase);
    run.out.bucket = *bucket;
    return false;
  }
  try {
    run.out.bucket = buckets_.Take(key.agent_id, key.rate_limit, key.burst, now_ms);
  } catch (const util::ServiceUnavailable& e) {
    // A request that cannot be counted is not served: serving it would let an outage lift
    // the limit. Nothing is known about the bucket, so no RateLimit-* headers.
    run.out.detail = e.what();
    return run.End(Outcome::Kind::kUnavailable);
  }
  if (!run.out.bucket->allowed) return run.End(Outcome::Kind::kRateLimited);
  return false;
}

bool Validator::CheckBody(Run& run) {
  if (!run.input.question) return run.End(Outcome::Kind::kBadInput);
  return false;
}

bool Validator::TakeQuota(Run& run) {
  // Memory only, the unit was taken with the reads (ReadFromMemory).
  if (!quota_ || run.reach == Reach::kMemory) return false;
  QuotaAnswer unit;
  try {
    unit = quota_->Take(run.key->org_id, clock_.NowSeconds());
  } catch (const util::ServiceUnavailable& e) {
    // As with the rate limit: a decision that cannot be counted against the month is not
    // made, or an outage would lift the limit.
    run.out.detail = e.what();
    return run.End(Outcome::Kind::kUnavailable);
  }
  if (!unit.allowed) {
    run.out.retry_after = unit.retry_after;
    return run.End(Outcome::Kind::kQuotaExceeded);
  }
  return false;
}

bool Validator::ReadPolicy(Run& run) {
  // A disabled agent is denied whatever its tools and rules: nothing to read.
  if (run.reach == Reach::kMemory || !run.key->agent_enabled) return false;
  const Question& q = *run.input.question;
  try {
    run.policy = policies_.Load(run.key->agent_id, q.tool, q.scope);
  } catch (const util::ServiceUnavailable& e) {
    // PITFALLS 2: a database failure is a 503, never a decision.
    run.out.detail = e.what();
    return run.End(Outcome::Kind::kUnavailable);
  }
  return false;
}

bool Validator::ApplyRules(Run& run) {
  apikey::VerifiedKey& key = *run.key;
  Question& q = *run.input.question;
  PolicyInput in;
  in.agent_enabled = key.agent_enabled;
  in.key_scopes = std::move(key.scopes);
  in.tool = q.tool;
  in.scope = q.scope;
  in.reasoning = q.reasoning ? std::string_view(*q.reasoning) : std::string_view();
  in.context = &q.context;
  if (run.policy) {
    in.tool_known = run.policy->tool_known;
    in.tool_scopes = run.policy->tool_scopes;
    in.rules = &run.policy->rules;
  }
  Outcome& out = run.out;
  out.verdict = Evaluate(in);
  out.policy = run.policy;

  store::DecisionRecord& record = out.record;
  record.id = DecisionId(clock_.NowMillis(), random_.Bytes(16));
  record.user_id = key.agent_user_id.value_or("");
  record.org_id = key.org_id;
  record.agent_id = out.agent_id;
  record.key_id = key.key_id;
  record.allowed = out.verdict.allowed;
  if (out.verdict.reason) record.reason = std::string(DenyReasonString(*out.verdict.reason));
  if (out.verdict.rule) record.rule_id = out.verdict.rule->id;
  record.reasoning_required = out.verdict.reasoning_required;
  record.reasoning_provided = out.verdict.reasoning_provided;
  record.request_id = std::string(run.input.request_id);
  // Last: `in` points into these.
  record.tool = std::move(q.tool);
  record.scope = std::move(q.scope);
  record.reasoning = std::move(q.reasoning);
  record.context_json = std::move(q.context_json);
  // An ask is settled by the next check; everything else is decided here.
  if (out.verdict.reason == DenyReason::kPending) return false;
  return run.End(Outcome::Kind::kDecided);
}

store::AuditEvent Validator::ApprovalEvent(const Run& run, std::string type) const {
  store::AuditEvent e;
  e.type = std::move(type);
  e.org_id = run.out.record.org_id;
  e.actor = "api_key:" + run.out.record.key_id;
  e.client_address = std::string(run.input.client_address);
  e.request_id = std::string(run.input.request_id);
  nlohmann::json d = {{"agent_id", run.out.record.agent_id},
                      {"tool", run.out.record.tool},
                      {"scope", run.out.record.scope},
                      {"decision_id", run.out.record.id}};
  e.details_json = d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return e;
}

bool Validator::SettleApproval(Run& run) {
  Outcome& out = run.out;
  store::DecisionRecord& record = out.record;
  // Never here from memory (ReadFromMemory sends ask policies to the database path); kept
  // safe all the same.
  if (run.reach == Reach::kMemory || !approvals_) {
    out.detail = "approvals need the database path";
    return run.End(Outcome::Kind::kUnavailable);
  }
  const Question& q = *run.input.question;  // its tool, scope, context moved to the record
  const std::string hash = ContextHash(record.context_json);
  const int64_t now = clock_.NowSeconds();
  auto deny = [&](DenyReason reason, const std::string& approval_id) {
    out.verdict.reason = reason;
    record.reason = std::string(DenyReasonString(reason));
    record.approval_id = approval_id;
    out.approval = Outcome::ApprovalRef{approval_id, 0};
    return run.End(Outcome::Kind::kDecided);
  };
  try {
    if (q.approval_id) {
      store::DecisionRecord allowed = record;
      allowed.allowed = true;
      allowed.reason.reset();
      using Use = store::ApprovalStore::UseOutcome;
      switch (approvals_->Use(*q.approval_id, record.agent_id, record.tool, record.scope, hash,
                              allowed, ApprovalEvent(run, "approval.used"), now)) {
        case Use::kUsed:
          out.verdict.allowed = true;
          out.verdict.reason.reset();
          record = std::move(allowed);
          out.approval = Outcome::ApprovalRef{*q.approval_id, 0};
          return run.End(Outcome::Kind::kRecorded);
        case Use::kPending:
          break;  // still waiting: the same 202 as a repeated request
        case Use::kDenied:
          return deny(DenyReason::kApprovalDenied, *q.approval_id);
        case Use::kUsedAlready:
          return deny(DenyReason::kApprovalUsed, *q.approval_id);
        case Use::kExpired:
          return deny(DenyReason::kApprovalExpired, *q.approval_id);
        case Use::kMismatch:
          return deny(DenyReason::kApprovalMismatch, *q.approval_id);
      }
    }
    store::NewApproval fresh;
    fresh.id = util::FormatUuid(UuidV4(random_.Bytes(16)));
    fresh.org_id = record.org_id;
    fresh.agent_id = record.agent_id;
    fresh.key_id = record.key_id;
    fresh.rule_id = record.rule_id;
    fresh.tool = record.tool;
    fresh.scope = record.scope;
    fresh.context_json = record.context_json;
    fresh.context_hash = hash;
    fresh.reasoning = record.reasoning;
    fresh.created_at = now;
    fresh.expires_at = now + out.verdict.rule->approval_ttl;
    store::Approval opened =
        approvals_->Ask(fresh, record, ApprovalEvent(run, "approval.requested"), now);
    out.approval = Outcome::ApprovalRef{opened.id, opened.expires_at};
    return run.End(Outcome::Kind::kPending);
  } catch (const util::ServiceUnavailable& e) {
    out.detail = e.what();
    return run.End(Outcome::Kind::kUnavailable);
  }
}

}  // namespace oakgate::policy
