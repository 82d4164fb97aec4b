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

std::optional<store::PolicySlice> PolicyCache::Find(std::string_view agent_id,
                                                    std::string_view tool, std::string_view scope,
                                                    bool count_miss) {
  auto e = entries_.Get(KeyOf(agent_id, tool, scope), clock_.NowSeconds(), count_miss);
  if (!e) return std::nullopt;
  return std::move(e->slice);
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

std::optional<store::PolicySlice> CachedPolicies::Cached(std::string_view agent_id,
                                                         std::string_view tool,
                                                         std::string_view scope) {
  // The database path follows a miss here and counts it.
  if (!cache_) return std::nullopt;
  return cache_->Find(agent_id, tool, scope, /*count_miss=*/false);
}

store::PolicySlice CachedPolicies::Load(std::string_view agent_id, std::string_view tool,
                                        std::string_view scope) {
  auto load = [&] { return db_.Agents().LoadPolicy(agent_id, tool, scope); };
  return cache_ ? cache_->GetOrLoad(agent_id, tool, scope, load) : load();
}

}  // namespace oakgate::policy
