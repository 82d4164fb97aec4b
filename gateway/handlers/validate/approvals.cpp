// GET /v1/approvals/{approval_id}?wait=N (CONTRACT §10): what an agent waiting for a human
// reads, by its own API key. A wait parks the request in the ApprovalWaiter: the worker thread
// that read the approval is free at once, and the answer comes from the waiter's thread.
#include <nlohmann/json.hpp>

#include "gateway/handlers/api/api_common.hpp"
#include "gateway/handlers/validate/validate.hpp"
#include "gateway/handlers/validate/validate_body.hpp"
#include "gateway/http/form.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::validate {
namespace {

using api::Error;

constexpr int64_t kMaxWaitSeconds = 30;
constexpr const char* kUnavailable = "the service is temporarily unavailable";

nlohmann::json TextOrNull(const std::optional<std::string>& s) {
  return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
}

http::Response AgentView(const store::Approval& a) {
  nlohmann::json body = {{"id", a.id},
                         {"status", a.status},
                         {"decided_by", TextOrNull(a.decided_by)},
                         {"decided_at", api::TimeOrNull(a.decided_at)},
                         {"comment", TextOrNull(a.comment)},
                         {"expires_at", api::TimeOrNull(a.expires_at)}};
  http::Response r = api::Json(200, body);
  r.Set("Cache-Control", "no-store");
  return r;
}

http::Response NoSuchApproval() { return Error(404, "not_found", "no such approval"); }

}  // namespace

std::optional<http::Response> GetAgentApproval(ValidateContext& ctx, http::Request& req,
                                               http::Reply reply) {
  policy::Outcome who =
      ctx.validator.Identify(PresentedApiKey(req), req.client_address, req.request_id);
  using Kind = policy::Outcome::Kind;
  if (who.kind == Kind::kKeyRefused) return KeyErrorAnswer(who.key_error);
  if (who.kind == Kind::kLookupsThrottled) {
    http::Response r = Error(429, "too_many_requests",
                             "too many failed API key lookups from this address; try again later");
    r.Set("Retry-After", std::to_string(who.retry_after));
    return r;
  }
  if (who.kind != Kind::kIdentified) return UnavailableAnswer(kUnavailable);

  http::FormError form_error;
  auto params = http::ParseUrlEncoded(req.raw_query, &form_error);
  if (!params) return Error(400, "invalid_request", form_error.description);
  int64_t wait = 0;
  for (const auto& [name, value] : params->items()) {
    if (params->Count(name) > 1) return api::BadField(name, name + " is repeated");
    if (name != "wait") return api::BadField(name, "unknown parameter \"" + name + "\"");
    bool digits = !value.empty() && value.size() <= 2 &&
                  value.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoll(value) > kMaxWaitSeconds) {
      return api::BadField("wait", "wait must be a whole number of seconds from 0 to 30");
    }
    wait = std::stoll(value);
  }

  const std::string id = util::ToLower(req.PathParam("approval_id").value_or(""));
  if (!manage::IsUuid(id)) return NoSuchApproval();
  // The bus's generation before the read: a change heard after it wakes the parked wait.
  uint64_t generation = ctx.bus ? ctx.bus->generation() : 0;
  // A database failure is thrown on to the route runner: the 503 of every route.
  auto approval = ctx.approvals.FindForAgent(who.agent_id, id, ctx.clock.NowSeconds());
  if (!approval) return NoSuchApproval();
  if (approval->status != "pending" || wait == 0 || !ctx.waiter) return AgentView(*approval);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait);
  bool parked = ctx.waiter->Park(*approval, deadline, generation,
                                 [reply](const std::optional<store::Approval>& now, bool failed) {
                                   if (failed) {
                                     reply(UnavailableAnswer(kUnavailable));
                                   } else if (!now) {
                                     reply(NoSuchApproval());
                                   } else {
                                     reply(AgentView(*now));
                                   }
                                 });
  // Full, or draining: what it reads now.
  if (!parked) return AgentView(*approval);
  return std::nullopt;
}

}  // namespace oakgate::handlers::validate
