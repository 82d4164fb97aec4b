#include "gateway/oauth/active_token_cache.hpp"

#include <algorithm>
#include <cstdlib>

namespace oakgate::oauth {

ActiveTokenCache::ActiveTokenCache(cache::InvalidationBus& bus, const util::Clock& clock,
                                   size_t capacity, int64_t max_ttl_seconds)
    : bus_(bus),
      clock_(clock),
      max_ttl_(max_ttl_seconds),
      tokens_(bus, capacity, "active_access_tokens") {
  bus_.Subscribe([this](const cache::Invalidation& inv) { Evict(inv); });
}

std::shared_ptr<const CachedToken> ActiveTokenCache::Find(std::string_view token_hash,
                                                          std::string_view caller_id,
                                                          bool count_miss) {
  auto found = tokens_.Peek(token_hash, clock_.NowSeconds());
  // RFC 7662 §2.2: a caller outside the token's audience is not answered from here (the
  // database path answers it inactive), and counts as a miss.
  if (found && (*found)->audience_bound &&
      std::find((*found)->introspectors.begin(), (*found)->introspectors.end(), caller_id) ==
          (*found)->introspectors.end()) {
    found.reset();
  }
  tokens_.Count(found.has_value(), count_miss);
  return found ? *found : nullptr;
}

void ActiveTokenCache::Put(std::string token_hash, CachedToken entry, uint64_t generation) {
  int64_t now = clock_.NowSeconds();
  int64_t expires = std::min(entry.expires_at, now + max_ttl_);
  entry.expires_at = expires;
  tokens_.Put(std::move(token_hash), std::make_shared<const CachedToken>(std::move(entry)), expires,
              now, generation);
}

void ActiveTokenCache::Evict(const cache::Invalidation& inv) {
  using cache::Subject;
  using Entry = std::shared_ptr<const CachedToken>;
  switch (inv.subject) {
    case Subject::kAll:
      tokens_.Clear();
      return;
    case Subject::kFamily: {
      int64_t family = std::strtoll(inv.id.c_str(), nullptr, 10);
      tokens_.EraseIf([&](const Entry& t) { return t->family_id == family; });
      return;
    }
    case Subject::kUser:
      tokens_.EraseIf([&](const Entry& t) { return t->user_id == inv.id; });
      return;
    case Subject::kClient:
      tokens_.EraseIf([&](const Entry& t) { return t->client_id == inv.id; });
      return;
    case Subject::kResources:
      tokens_.EraseIf([](const Entry& t) { return t->audience_bound; });
      return;
    default:
      return;
  }
}

}  // namespace oakgate::oauth
