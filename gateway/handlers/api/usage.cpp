#include "gateway/handlers/api/usage.hpp"

#include "gateway/http/form.hpp"

namespace oakgate::handlers::api {
namespace {

nlohmann::json LimitOrNull(const std::optional<int64_t>& limit) {
  return limit ? nlohmann::json(*limit) : nlohmann::json(nullptr);  // null: unlimited
}

nlohmann::json UsageJson(const manage::Usage& u) {
  nlohmann::json agents = nlohmann::json::array();
  for (const auto& a : u.counters.agents) {
    agents.push_back({{"agent_id", a.agent_id},
                      {"allowed", a.allowed},
                      {"denied", a.denied},
                      {"rate_limited", a.rate_limited}});
  }
  nlohmann::json daily = nlohmann::json::array();
  for (const auto& d : u.counters.days) {
    daily.push_back({{"date", d.date}, {"allowed", d.allowed}, {"denied", d.denied}});
  }
  return {{"month", u.month},
          {"limits",
           {{"max_agents", LimitOrNull(u.counters.limits.max_agents)},
            {"monthly_decisions", LimitOrNull(u.counters.limits.monthly_decisions)}}},
          {"totals",
           {{"allowed", u.totals.allowed},
            {"denied", u.totals.denied},
            {"rate_limited", u.totals.rate_limited},
            {"quota_exceeded", u.totals.quota_exceeded}}},
          {"agents", agents},
          {"daily", daily}};
}

}  // namespace

http::Response GetUsage(ApiContext& ctx, const Principal& who, http::Request& req) {
  http::FormError form_error;
  auto params = http::ParseUrlEncoded(req.raw_query, &form_error);
  if (!params) return Error(400, "invalid_request", form_error.description);
  std::optional<std::string> month;
  for (const auto& [name, value] : params->items()) {
    if (params->Count(name) > 1) return BadField(name, name + " is repeated");
    if (name != "month") return BadField(name, "unknown parameter \"" + name + "\"");
    month = value;
  }
  return Answer(ctx.usage.Month(who, month), 200, UsageJson);
}

}  // namespace oakgate::handlers::api
