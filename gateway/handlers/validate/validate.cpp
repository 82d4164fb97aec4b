#include "gateway/handlers/validate/validate.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

#include "gateway/crypto/random.hpp"
#include "gateway/handlers/api/api_common.hpp"
#include "gateway/handlers/validate/validate_body.hpp"
#include "gateway/observe/log.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/policy/rules.hpp"
#include "gateway/util/errors.hpp"
#include "gateway/util/json_writer.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::validate {
namespace {

// The same JSON bodies and errors as the management API (CONTRACT §8).
using api::BadField;
using api::Error;
using api::Json;

http::Response KeyErrorAnswer(apikey::KeyError error) {
  http::Response r = Error(401, apikey::KeyErrorCode(error), apikey::KeyErrorDescription(error));
  r.Set("WWW-Authenticate", "Bearer realm=\"oakgate\"");
  return r;
}

// X-API-Key, else Authorization: Bearer; anything else is not an API key at all.
std::optional<std::string_view> PresentedKey(const http::Request& req) {
  if (req.HeaderCount("x-api-key") > 0) {
    if (req.HeaderCount("x-api-key") != 1) return std::nullopt;
    return util::Trim(*req.Header("x-api-key"));
  }
  auto auth = req.Header("authorization");
  if (!auth || req.HeaderCount("authorization") != 1) return std::nullopt;
  std::string_view v = *auth;
  if (v.size() < 7 || !util::IEquals(v.substr(0, 7), "bearer ")) return std::nullopt;
  return util::Trim(v.substr(7));
}

// A decision id: a UUID of RFC 9562 version 7, 48 bits of Unix milliseconds then 74 random
// bits. Ids that grow with time go to the right end of the decisions primary key instead of
// a random page of it, which matters once the log outgrows memory; 74 CSPRNG bits still make
// an id unguessable (and an id alone opens nothing: decisions are read by their owner).
std::string NewDecisionId() {
  std::string b = crypto::RandomBytes(16);
  auto ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<char>((ms >> (40 - 8 * i)) & 0xff);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x70);  // version 7
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[(static_cast<unsigned char>(b[i]) >> 4) & 0xf];
    out += kHex[static_cast<unsigned char>(b[i]) & 0xf];
  }
  return out;
}

void SetLimitHeaders(http::Response& r, const policy::BucketAnswer& b) {
  r.Set("RateLimit-Limit", std::to_string(b.limit));
  r.Set("RateLimit-Remaining", std::to_string(b.remaining));
  r.Set("RateLimit-Reset", std::to_string(b.reset));
}

http::Response Unavailable(std::string_view description) {
  http::Response r = Error(503, "temporarily_unavailable", description);
  r.Set("Retry-After", "1");
  return r;
}

// A decision made, not yet durable: the record to write and the answer to send once it is.
struct Made {
  store::DecisionRecord record;
  http::Response answer;
};

// The checks after the key, the rate limit and the body, against the agent's tools and rules
// for this (tool, scope). Memory only.
Made Make(const http::Request& req, const apikey::VerifiedKey& key, const ValidateBody& body,
          const store::PolicySlice* slice) {
  policy::PolicyInput input;
  input.agent_enabled = key.agent_enabled;
  input.key_scopes = key.scopes;
  input.tool = body.tool;
  input.scope = body.scope;
  input.reasoning = body.reasoning ? std::string_view(*body.reasoning) : std::string_view();
  if (slice) {
    input.tool_known = slice->tool.has_value();
    if (slice->tool) input.tool_scopes = slice->tool->scopes;
    for (const auto& r : slice->rules) {
      input.rules.push_back(policy::RuleSpec{
          r.id, r.tool, r.scope,
          policy::ParseReasoning(r.require_reasoning).value_or(policy::Reasoning::kHard)});
    }
  }
  policy::Verdict verdict = policy::Evaluate(input);

  Made m;
  store::DecisionRecord& record = m.record;
  record.id = NewDecisionId();
  record.user_id = key.user_id;
  record.agent_id = key.agent_id;
  record.key_id = key.key_id;
  record.tool = body.tool;
  record.scope = body.scope;
  record.allowed = verdict.allowed;
  if (verdict.reason) record.reason = std::string(policy::DenyReasonString(*verdict.reason));
  if (verdict.rule) record.rule_id = verdict.rule->id;
  record.reasoning = body.reasoning;
  record.reasoning_required = verdict.reasoning_required;
  record.reasoning_provided = verdict.reasoning_provided;
  record.context_json = body.context_json;
  record.request_id = req.request_id;

  // Written by hand (this answers every validation), fields in name order as before.
  std::string out;
  out.reserve(384);
  util::JsonObject o(out);
  o.Add("agent_id", key.agent_id).Add("allowed", verdict.allowed).Add("decision_id", record.id);
  if (verdict.reason) o.Add("reason", policy::DenyReasonString(*verdict.reason));
  if (verdict.rule) {
    o.Add("reasoning_level", policy::ReasoningString(verdict.rule->level));
  } else {
    o.Add("reasoning_level", nullptr);
  }
  o.Add("reasoning_provided", verdict.reasoning_provided)
      .Add("reasoning_required", verdict.reasoning_required)
      .Add("rule_id", verdict.rule ? std::optional<std::string>(verdict.rule->id) : std::nullopt)
      .Add("scope", body.scope)
      .Add("tool", body.tool);
  if (verdict.warning) o.Add("warning", "the rule asks for reasoning and none was given");
  o.Close();
  m.answer = api::JsonText(200, std::move(out));
  return m;
}

// The answer once the decision's batch committed (or failed), counted for /metrics.
http::Response Committed(http::Response answer, bool allowed, std::string_view reason,
                         bool committed) {
  if (!committed) return Unavailable("the decision could not be recorded; retry later");
  policy::CountDecision(allowed ? "allowed" : "denied", reason);
  return answer;
}

// The decision is durable before this returns an answer.
http::Response Decide(ValidateContext& ctx, const http::Request& req,
                      const apikey::VerifiedKey& key, const ValidateBody& body) {
  std::optional<store::PolicySlice> slice;
  if (key.agent_enabled) {
    if (ctx.policies) slice = ctx.policies->Find(key.agent_id, body.tool, body.scope);
    if (!slice) {
      uint64_t generation = ctx.policies ? ctx.policies->generation() : 0;
      slice = ctx.db.Agents().LoadPolicy(key.agent_id, body.tool, body.scope);
      if (ctx.policies) ctx.policies->Put(key.agent_id, body.tool, body.scope, *slice, generation);
    }
  }
  Made m = Make(req, key, body, slice ? &*slice : nullptr);
  // Durable before the answer: wait for this decision's batch to commit.
  bool allowed = m.record.allowed;
  std::string reason = m.record.reason.value_or("");
  auto committed = ctx.writer.Submit(std::move(m.record));
  bool ok = committed.wait_for(ctx.commit_timeout) == std::future_status::ready && committed.get();
  return Committed(std::move(m.answer), allowed, reason, ok);
}

observe::Counter& PathCounter(const char* path) {
  return observe::Metrics().GetCounter(
      "oakgate_validate_requests_total",
      "Validation requests by where they were decided: from memory on the reactor thread, or on "
      "the worker pool",
      {{"path", path}});
}

}  // namespace

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool ValidateAsync(ValidateContext& ctx, http::Request& req, http::Reply reply) {
  static observe::Counter& from_memory = PathCounter("reactor");
  // Only the common case, all from memory: a cached key, a well-formed body, a cached policy
  // and a token in the bucket. Anything else (errors included) is the pool's, which answers
  // it exactly as before.
  auto presented = PresentedKey(req);
  if (!presented) return false;
  auto verified = ctx.keys.TryCached(*presented);
  if (!verified || !*verified) return false;
  const apikey::VerifiedKey& key = verified->value();
  ValidateBody body;
  if (ParseValidateBody(req, body)) return false;
  std::optional<store::PolicySlice> slice;
  if (key.agent_enabled) {
    if (!ctx.policies) return false;
    slice = ctx.policies->Find(key.agent_id, body.tool, body.scope, /*count_miss=*/false);
    if (!slice) return false;
  }
  auto bucket = ctx.limiter.TryTake(key.agent_id, key.rate_limit, key.burst, ctx.now_ms());
  if (!bucket || !bucket->allowed) return false;  // refusals are counted on the pool
  Made made = Make(req, key, body, slice ? &*slice : nullptr);
  SetLimitHeaders(made.answer, *bucket);
  // The record goes to the writer; the callback keeps only what the answer needs. The decision
  // log's answer thread runs it once the batch committed: no thread waits meanwhile.
  auto answer = std::make_shared<http::Response>(std::move(made.answer));
  bool allowed = made.record.allowed;
  std::string reason = made.record.reason.value_or("");
  from_memory.Inc();
  return ctx.writer.SubmitAsync(
      std::move(made.record), [answer, allowed, reason, b = *bucket, reply](bool committed) {
        http::Response r = Committed(std::move(*answer), allowed, reason, committed);
        if (!committed) SetLimitHeaders(r, b);
        reply(std::move(r));
      });
}

http::Response Validate(ValidateContext& ctx, http::Request& req) {
  static observe::Counter& on_pool = PathCounter("pool");
  on_pool.Inc();
  auto presented = PresentedKey(req);
  if (!presented) return KeyErrorAnswer(apikey::KeyError::kInvalidFormat);
  auto verified = ctx.keys.Verify(*presented);
  if (!verified) return KeyErrorAnswer(verified.error());
  const apikey::VerifiedKey& key = verified.value();

  // Every authenticated request takes a token, whatever its fate after. Most take it from
  // this instance's lease; when the lease is spent this is one statement on the shared bucket.
  policy::BucketAnswer bucket;
  try {
    bucket = ctx.limiter.Take(key.agent_id, key.rate_limit, key.burst, ctx.now_ms());
  } catch (const util::ServiceUnavailable& e) {
    // A request that cannot be counted is not served: serving it would let an outage lift
    // the limit. No RateLimit-* headers, since nothing is known about the bucket.
    observe::Warn("rate limit unavailable", {{"request_id", req.request_id}, {"detail", e.what()}});
    return Unavailable("the service is temporarily unavailable");
  }
  auto limited = [&bucket](http::Response r) {
    SetLimitHeaders(r, bucket);
    return r;
  };
  if (!bucket.allowed) {
    ctx.writer.CountRateLimited(key.agent_id, ctx.clock.NowSeconds());
    policy::CountDecision("rate_limited", "rate_limited");
    http::Response r = Json(429, {{"allowed", false},
                                  {"reason", "rate_limited"},
                                  {"error", "rate_limited"},
                                  {"error_description", "the agent's rate limit is spent"}});
    r.Set("Retry-After", std::to_string(bucket.retry_after));
    return limited(std::move(r));
  }
  ValidateBody body;
  if (auto bad = ParseValidateBody(req, body)) return limited(std::move(*bad));

  try {
    return limited(Decide(ctx, req, key, body));
  } catch (const util::ServiceUnavailable& e) {
    // PITFALLS 2: a database failure is a 503, never a decision; it still carries the
    // rate-limit headers, as every answer after the key check does.
    observe::Warn("validate unavailable", {{"request_id", req.request_id}, {"detail", e.what()}});
    return limited(Unavailable("the service is temporarily unavailable"));
  }
}

}  // namespace oakgate::handlers::validate
