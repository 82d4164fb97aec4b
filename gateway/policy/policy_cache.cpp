#include "gateway/policy/policy_cache.hpp"

#include "gateway/observe/metrics.hpp"

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
    : bus_(bus), clock_(clock), capacity_(capacity), ttl_(ttl_seconds) {
  bus_.Subscribe([this](const cache::Invalidation& inv) { Evict(inv); });
}

std::optional<store::PolicySlice> PolicyCache::Find(std::string_view agent_id,
                                                    std::string_view tool, std::string_view scope,
                                                    bool count_miss) {
  static observe::Counter& hits = observe::Metrics().GetCounter(
      "oakgate_cache_requests_total", "In-process cache lookups by cache and result",
      {{"cache", "agent_policies"}, {"result", "hit"}});
  static observe::Counter& misses = observe::Metrics().GetCounter(
      "oakgate_cache_requests_total", "In-process cache lookups by cache and result",
      {{"cache", "agent_policies"}, {"result", "miss"}});
  std::optional<store::PolicySlice> out;
  if (bus_.live()) {
    int64_t now = clock_.NowSeconds();
    std::lock_guard lock(mutex_);
    auto it = entries_.find(KeyOf(agent_id, tool, scope));
    if (it != entries_.end() && it->second.expires_at > now) out = it->second.slice;
  }
  if (out) {
    hits.Inc();
  } else if (count_miss) {
    misses.Inc();
  }
  return out;
}

void PolicyCache::Put(std::string_view agent_id, std::string_view tool, std::string_view scope,
                      const store::PolicySlice& slice, uint64_t generation) {
  int64_t now = clock_.NowSeconds();
  std::lock_guard lock(mutex_);
  if (!bus_.live() || bus_.generation() != generation) return;
  if (entries_.size() >= capacity_) {
    std::erase_if(entries_, [now](const auto& kv) { return kv.second.expires_at <= now; });
    if (entries_.size() >= capacity_) return;
  }
  entries_[KeyOf(agent_id, tool, scope)] = Entry{std::string(agent_id), slice, now + ttl_};
}

size_t PolicyCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void PolicyCache::Evict(const cache::Invalidation& inv) {
  std::lock_guard lock(mutex_);
  if (inv.subject == cache::Subject::kAll) {
    entries_.clear();
  } else if (inv.subject == cache::Subject::kAgent) {
    std::erase_if(entries_, [&](const auto& kv) { return kv.second.agent_id == inv.id; });
  }
}

}  // namespace oakgate::policy
