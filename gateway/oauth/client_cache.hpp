#pragma once
// Confidential clients (those that introspect, and those that get tokens), in memory, so a
// cache hit authenticates one without the database (on the reactor thread, for introspection): the
// row (with its secret hashes) and what is known of recent failures. A client or address that
// failed recently is "suspect": its requests go to the database path, which counts failures and
// throttles (client_auth.hpp). So the cache never accepts what the database path would refuse for a
// wrong secret, and a guessing attack is throttled exactly as without it. Changes to a client
// arrive through the invalidation bus.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gateway/cache/invalidation.hpp"
#include "gateway/cache/live_map.hpp"
#include "gateway/store/rows.hpp"
#include "gateway/util/clock.hpp"

namespace oakgate::oauth {

class ClientCache {
 public:
  ClientCache(cache::InvalidationBus& bus, const util::Clock& clock, size_t capacity,
              int64_t ttl_seconds, int64_t suspect_seconds);
  std::optional<store::Client> Find(std::string_view client_id, std::string_view address);
  // A client read from the database, kept only once it has proven its secret: the fill begins
  // before the read (not a GetOrLoad, since the database path never answers from here and
  // decides only after the read whether to keep it), and Keep stores the row unless an
  // invalidation arrived since, for the cache's time and never past its previous secret's
  // grace.
  class Fill {
   public:
    void Keep(const store::Client& client);

   private:
    friend class ClientCache;
    explicit Fill(ClientCache& cache) : cache_(&cache), fill_(cache.clients_.BeginFill()) {}
    ClientCache* cache_;
    cache::LiveMap<store::Client>::Fill fill_;
  };
  Fill BeginFill() { return Fill(*this); }
  void MarkSuspect(std::string_view client_id, std::string_view address);
  size_t size() const { return clients_.size(); }

 private:
  void Evict(const cache::Invalidation& inv);
  bool Suspect(std::string_view client_id, std::string_view address, int64_t now);
  cache::InvalidationBus& bus_;
  const util::Clock& clock_;
  const int64_t ttl_;
  const int64_t suspect_;
  cache::LiveMap<store::Client> clients_;
  std::mutex mutex_;                                        // guards the suspects
  std::unordered_map<std::string, int64_t> suspect_until_;  // client id or "@address"
  int64_t all_suspect_until_ = 0;  // when too many suspects to track, everyone is
};

}  // namespace oakgate::oauth
