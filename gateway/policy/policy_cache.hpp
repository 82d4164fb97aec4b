#pragma once
// What /v1/validate reads about an agent for one (tool, scope): the tool and the rules that
// could match, compiled (conditions parsed once, here, never per request), by (agent, tool,
// scope), so an agent calling the same tools again costs no
// database read. A change to the agent, its tools or its rules arrives through the
// invalidation bus from every instance and drops all of that agent's entries. An entry lives
// a minute at most; when full of live entries, new ones are not cached.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "gateway/cache/invalidation.hpp"
#include "gateway/cache/live_map.hpp"
#include "gateway/policy/validator.hpp"
#include "gateway/store/agent_store.hpp"
#include "gateway/store/database.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::policy {

// The slice as the validator uses it. A rule the database holds that no write would have let
// through (a bad effect, level or condition, from a manual edit) fails closed: an unknown
// level is hard, and an unknown effect or a condition that does not compile makes the rule an
// unconditional deny.
std::shared_ptr<const CompiledPolicy> CompilePolicy(store::PolicySlice slice);

class PolicyCache {
 public:
  PolicyCache(cache::InvalidationBus& bus, const util::Clock& clock, size_t capacity,
              int64_t ttl_seconds);
  // A lookup that another one follows on a miss (the reactor's, before the pool's) counts
  // hits only.
  std::shared_ptr<const CompiledPolicy> Find(std::string_view agent_id, std::string_view tool,
                                             std::string_view scope, bool count_miss = true);
  // The same, else the compiled slice `load()` returns (a store::PolicySlice), kept unless an
  // invalidation arrived while it was read.
  template <typename Load>
  std::shared_ptr<const CompiledPolicy> GetOrLoad(std::string_view agent_id, std::string_view tool,
                                                  std::string_view scope, Load&& load) {
    auto e = entries_.GetOrLoad(
        KeyOf(agent_id, tool, scope), clock_.NowSeconds(),
        [&]() -> std::optional<Entry> {
          return Entry{std::string(agent_id), CompilePolicy(load())};
        },
        [this](const Entry&) { return LifetimeNow(); });
    return std::move(e->policy);  // a load always has a value
  }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string agent_id;
    std::shared_ptr<const CompiledPolicy> policy;
  };
  static std::string KeyOf(std::string_view agent_id, std::string_view tool,
                           std::string_view scope);
  cache::LiveMap<Entry>::Lifetime LifetimeNow() const;
  void Evict(const cache::Invalidation& inv);
  cache::InvalidationBus& bus_;
  const util::Clock& clock_;
  const int64_t ttl_;
  cache::LiveMap<Entry> entries_;  // by agent \0 tool \0 scope
};

// What the validator reads about an agent's policy: the cache (optional), filled from the
// agent store of the calling thread's connection.
class CachedPolicies : public PolicySource {
 public:
  CachedPolicies(store::Database& db, PolicyCache* cache) : db_(db), cache_(cache) {}
  std::shared_ptr<const CompiledPolicy> Cached(std::string_view agent_id, std::string_view tool,
                                               std::string_view scope) override;
  std::shared_ptr<const CompiledPolicy> Load(std::string_view agent_id, std::string_view tool,
                                             std::string_view scope) override;

 private:
  store::Database& db_;
  PolicyCache* cache_;
};

}  // namespace oakgate::policy
