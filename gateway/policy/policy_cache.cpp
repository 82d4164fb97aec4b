#include "gateway/policy/policy_cache.hpp"

namespace oakgate::policy {
namespace {

std::string KeyOf(std::string_view agent_id, std::string_view tool, std::string_view scope) {
  std::string k;
  k.reserve(agent_id.size() + tool.size() + scope.size() + 2);
  k.append(agent_id).push_back('\0');
  k.append(tool).push_back('\0');
  k.append(scope);
  return k;
}

}  // namespace

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

void PolicyCache::Put(std::string_view agent_id, std::string_view tool, std::string_view scope,
                      const store::PolicySlice& slice, uint64_t generation) {
  int64_t now = clock_.NowSeconds();
  entries_.Put(KeyOf(agent_id, tool, scope), Entry{std::string(agent_id), slice}, now + ttl_, now,
               generation);
}

void PolicyCache::Evict(const cache::Invalidation& inv) {
  if (inv.subject == cache::Subject::kAll) {
    entries_.Clear();
  } else if (inv.subject == cache::Subject::kAgent) {
    entries_.EraseIf([&](const Entry& e) { return e.agent_id == inv.id; });
  }
}

}  // namespace oakgate::policy
