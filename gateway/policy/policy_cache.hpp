#pragma once
// What /v1/validate reads about an agent for one (tool, scope): the tool and the rules that
// could match, by (agent, tool, scope), so an agent calling the same tools again costs no
// database read. A change to the agent, its tools or its rules arrives through the
// invalidation bus from every instance and drops all of that agent's entries. An entry lives
// a minute at most; when full of live entries, new ones are not cached.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/cache/invalidation.hpp"
#include "gateway/cache/live_map.hpp"
#include "gateway/store/agent_store.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::policy {

class PolicyCache {
 public:
  PolicyCache(cache::InvalidationBus& bus, const util::Clock& clock, size_t capacity,
              int64_t ttl_seconds);
  // A lookup that another one follows on a miss (the reactor's, before the pool's) counts
  // hits only.
  std::optional<store::PolicySlice> Find(std::string_view agent_id, std::string_view tool,
                                         std::string_view scope, bool count_miss = true);
  void Put(std::string_view agent_id, std::string_view tool, std::string_view scope,
           const store::PolicySlice& slice, uint64_t generation);
  uint64_t generation() const { return bus_.generation(); }
  size_t size() const { return entries_.size(); }

 private:
  void Evict(const cache::Invalidation& inv);
  struct Entry {
    std::string agent_id;
    store::PolicySlice slice;
  };
  cache::InvalidationBus& bus_;
  const util::Clock& clock_;
  const int64_t ttl_;
  cache::LiveMap<Entry> entries_;  // by agent \0 tool \0 scope
};

}  // namespace oakgate::policy
