#include "gateway/policy/policy_cache.hpp"

namespace oakgate::policy {

std::string PolicyCache::KeyOf(std::string_view agent_id, std::string_view tool,
                               std::string_view scope) {
  std::string k;
  k.reserve(agent_id.size() + tool.size() + scope.size() + 2);
  k.append(agent_id).push_back('\0');
  k.append(tool).push_back('\0');
  k.append(scope);
  return k;
}

PolicyCache::PolicyCache(cache::InvalidationBus& bus, const util::Clock& clock, size_t capacity,
                         int64_t ttl_seconds)
    : bus_(bus), clock_(clock), ttl_(ttl_seconds), entries_(bus, capacity, "agent_policies") {
  bus_.Subscribe([this](const cache::Invalidation& inv) { Evict(inv); });
}

std::shared_ptr<const CompiledPolicy> PolicyCache::Find(std::string_view agent_id,
                                                        std::string_view tool,
                                                        std::string_view scope, bool count_miss) {
  auto e = entries_.Get(KeyOf(agent_id, tool, scope), clock_.NowSeconds(), count_miss);
  if (!e) return nullptr;
  return std::move(e->policy);
}

cache::LiveMap<PolicyCache::Entry>::Lifetime PolicyCache::LifetimeNow() const {
  int64_t now = clock_.NowSeconds();
  return {now + ttl_, now};
}

void PolicyCache::Evict(const cache::Invalidation& inv) {
  if (inv.subject == cache::Subject::kAll) {
    entries_.Clear();
  } else if (inv.subject == cache::Subject::kAgent) {
    entries_.EraseIf([&](const Entry& e) { return e.agent_id == inv.id; });
  }
}

std::shared_ptr<const CompiledPolicy> CompilePolicy(store::PolicySlice slice) {
  auto policy = std::make_shared<CompiledPolicy>();
  policy->tool_known = slice.tool.has_value();
  if (slice.tool) policy->tool_scopes = std::move(slice.tool->scopes);
  policy->rules.reserve(slice.rules.size());
  for (auto& r : slice.rules) {
    RuleSpec spec;
    spec.id = std::move(r.id);
    spec.tool = std::move(r.tool);
    spec.scope = std::move(r.scope);
    spec.level = ParseReasoning(r.require_reasoning).value_or(Reasoning::kHard);
    spec.priority = r.priority;
    spec.approval_ttl = r.approval_ttl;
    std::optional<ConditionError> error;
    spec.conditions = CompileConditionsText(r.conditions_json, error);
    auto effect = ParseEffect(r.effect);
    if (error || !effect) {
      spec.effect = Effect::kDeny;
      spec.conditions.clear();
    } else {
      spec.effect = *effect;
    }
    policy->has_ask = policy->has_ask || spec.effect == Effect::kAsk;
    policy->rules.push_back(std::move(spec));
  }
  return policy;
}

std::shared_ptr<const CompiledPolicy> CachedPolicies::Cached(std::string_view agent_id,
                                                             std::string_view tool,
                                                             std::string_view scope) {
  // The database path follows a miss here and counts it.
  if (!cache_) return nullptr;
  return cache_->Find(agent_id, tool, scope, /*count_miss=*/false);
}

std::shared_ptr<const CompiledPolicy> CachedPolicies::Load(std::string_view agent_id,
                                                           std::string_view tool,
                                                           std::string_view scope) {
  auto load = [&] { return db_.Agents().LoadPolicy(agent_id, tool, scope); };
  return cache_ ? cache_->GetOrLoad(agent_id, tool, scope, load) : CompilePolicy(load());
}

}  // namespace oakgate::policy
