#include "gateway/handlers/validate/validate.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

#include "gateway/handlers/api/api_common.hpp"
#include "gateway/handlers/validate/validate_body.hpp"
#include "gateway/http/unavailable.hpp"
#include "gateway/observe/log.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/policy/rules.hpp"
#include "gateway/util/errors.hpp"
#include "gateway/util/json_writer.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::validate {
namespace {

// The same JSON bodies and errors as the management API (CONTRACT §8).
using api::Error;
using api::Json;

void SetLimitHeaders(http::Response& r, const policy::BucketAnswer& b) {
  r.Set("RateLimit-Limit", std::to_string(b.limit));
  r.Set("RateLimit-Remaining", std::to_string(b.remaining));
  r.Set("RateLimit-Reset", std::to_string(b.reset));
}

// A validation refused without a decision (CONTRACT §6 rate_limited, §9 quota_exceeded):
// counted, not recorded, so no decision_id; the reason is the error too.
http::Response Refusal(std::string_view reason, std::string_view description, int64_t retry_after) {
  http::Response r = Json(429, {{"allowed", false},
                                {"reason", reason},
                                {"error", reason},
                                {"error_description", description}});
  r.Set("Retry-After", std::to_string(retry_after));
  return r;
}

// The answer to a decision, written by hand (this answers every validation), fields in name
// order as before. An ask rule's pending answer (CONTRACT §10) is the same with
// "decision": "pending" and the approval's expires_at, and status 202.
http::Response RenderDecision(const policy::Outcome& out) {
  const store::DecisionRecord& record = out.record;
  const policy::Verdict& verdict = out.verdict;
  const bool pending = out.kind == policy::Outcome::Kind::kPending;
  std::string text;
  text.reserve(384);
  util::JsonObject o(text);
  o.Add("agent_id", record.agent_id).Add("allowed", verdict.allowed);
  if (out.approval) o.Add("approval_id", out.approval->id);
  if (pending) o.Add("decision", "pending");
  o.Add("decision_id", record.id);
  if (pending) o.Add("expires_at", util::FormatRfc3339(out.approval->expires_at));
  if (const auto& failed = verdict.failed_condition) {
    std::string nested;
    util::JsonObject(nested)
        .Add("field", failed->field)
        .Add("op", policy::OpString(failed->op))
        .Add("rule_id", failed->rule_id)
        .Close();
    o.AddRaw("failed_condition", nested);
  }
  if (verdict.reason) o.Add("reason", policy::DenyReasonString(*verdict.reason));
  if (verdict.rule) {
    o.Add("reasoning_level", policy::ReasoningString(verdict.rule->level));
  } else {
    o.Add("reasoning_level", nullptr);
  }
  o.Add("reasoning_provided", verdict.reasoning_provided)
      .Add("reasoning_required", verdict.reasoning_required)
      .Add("rule_id", verdict.rule ? std::optional<std::string>(verdict.rule->id) : std::nullopt)
      .Add("scope", record.scope)
      .Add("tool", record.tool);
  if (verdict.warning) o.Add("warning", "the rule asks for reasoning and none was given");
  o.Close();
  http::Response r = api::JsonText(pending ? 202 : 200, std::move(text));
  SetLimitHeaders(r, *out.bucket);
  return r;
}

// The answer once the decision's batch committed (or failed), counted for /metrics.
http::Response Committed(http::Response answer, bool allowed, std::string_view reason,
                         bool committed, const policy::BucketAnswer& bucket) {
  if (!committed) {
    http::Response r = UnavailableAnswer("the decision could not be recorded; retry later");
    SetLimitHeaders(r, bucket);
    return r;
  }
  policy::CountDecision(allowed ? "allowed" : "denied", reason);
  return answer;
}

// What the request presents, parsed; `refused` is the 400 when its body was refused.
struct Parsed {
  policy::ValidateInput input;
  std::optional<http::Response> refused;
};

Parsed Parse(const http::Request& req) {
  Parsed p;
  p.input.presented_key = PresentedApiKey(req);
  p.input.request_id = req.request_id;
  p.input.client_address = req.client_address;
  ValidateBody body;
  p.refused = ParseValidateBody(req, body);
  if (!p.refused) p.input.question = std::move(body);
  return p;
}

// Every answer but a decision's.
http::Response Render(ValidateContext& ctx, const http::Request& req, policy::Outcome& out,
                      std::optional<http::Response>& refused) {
  using Kind = policy::Outcome::Kind;
  http::Response r;
  switch (out.kind) {
    case Kind::kKeyRefused:
      return KeyErrorAnswer(out.key_error);  // before the rate limit: no RateLimit-* headers
    case Kind::kLookupsThrottled:
      // No agent is known yet, so no RateLimit-* headers either.
      r = Error(429, "too_many_requests",
                "too many failed API key lookups from this address; try again later");
      r.Set("Retry-After", std::to_string(out.retry_after));
      return r;
    case Kind::kRateLimited:
      ctx.writer.CountRateLimited(out.agent_id, ctx.clock.NowSeconds());
      policy::CountDecision("rate_limited", "rate_limited");
      r = Refusal("rate_limited", "the agent's rate limit is spent", out.bucket->retry_after);
      break;
    case Kind::kQuotaExceeded:
      ctx.writer.CountQuotaExceeded(out.agent_id, ctx.clock.NowSeconds());
      policy::CountDecision("quota_exceeded", "quota_exceeded");
      r = Refusal("quota_exceeded",
                  "the organization's monthly decision limit is reached until the month ends",
                  out.retry_after);
      break;
    case Kind::kBadInput:
      r = std::move(*refused);
      break;
    case Kind::kPending:
    case Kind::kRecorded:
      // An approval's request or use: recorded in its own transaction already.
      policy::CountDecision(out.record.allowed ? "allowed" : "denied",
                            out.record.reason.value_or(""));
      return RenderDecision(out);
    case Kind::kUnavailable:
    case Kind::kNeedsDatabase:  // never on the database path; answered as unavailable
    case Kind::kIdentified:     // Identify's only
    case Kind::kDecided:        // handled by the caller
      // Without a bucket it was the rate limit that could not be reached.
      observe::Warn(out.bucket ? "validate unavailable" : "rate limit unavailable",
                    {{"request_id", req.request_id}, {"detail", out.detail}});
      r = UnavailableAnswer("the service is temporarily unavailable");
      break;
  }
  // Every answer after the key check carries the bucket's headers (CONTRACT §6), when the
  // bucket could be reached.
  if (out.bucket) SetLimitHeaders(r, *out.bucket);
  return r;
}

observe::Counter& PathCounter(const char* path) {
  return observe::Metrics().GetCounter(
      "oakgate_validate_requests_total",
      "Validation requests by where they were decided: from memory on the reactor thread, or on "
      "the worker pool",
      {{"path", path}});
}

}  // namespace

bool ValidateAsync(ValidateContext& ctx, http::Request& req, http::Reply reply) {
  static observe::Counter& from_memory = PathCounter("reactor");
  Parsed parsed = Parse(req);
  policy::Outcome out = ctx.validator.Decide(std::move(parsed.input), policy::Reach::kMemory);
  if (out.kind != policy::Outcome::Kind::kDecided) return false;  // the pool's
  // The record goes to the writer; the callback keeps only what the answer needs. The decision
  // log's answer thread runs it once the batch committed: no thread waits meanwhile.
  auto answer = std::make_shared<http::Response>(RenderDecision(out));
  bool allowed = out.record.allowed;
  std::string reason = out.record.reason.value_or("");
  from_memory.Inc();
  return ctx.writer.SubmitAsync(
      std::move(out.record), [answer, allowed, reason, b = *out.bucket, reply](bool committed) {
        reply(Committed(std::move(*answer), allowed, reason, committed, b));
      });
}

http::Response Validate(ValidateContext& ctx, http::Request& req) {
  static observe::Counter& on_pool = PathCounter("pool");
  on_pool.Inc();
  Parsed parsed = Parse(req);
  policy::Outcome out = ctx.validator.Decide(std::move(parsed.input), policy::Reach::kDatabase);
  if (out.kind != policy::Outcome::Kind::kDecided) return Render(ctx, req, out, parsed.refused);
  // Durable before the answer: wait for this decision's batch to commit.
  http::Response answer = RenderDecision(out);
  bool allowed = out.record.allowed;
  std::string reason = out.record.reason.value_or("");
  auto committed = ctx.writer.Submit(std::move(out.record));
  bool ok = committed.wait_for(ctx.commit_timeout) == std::future_status::ready && committed.get();
  return Committed(std::move(answer), allowed, reason, ok, *out.bucket);
}

}  // namespace oakgate::handlers::validate
