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
  // A caller outside the token's audience is not answered from here (the database path
  // answers it inactive), and counts as a miss.
  if (found && !MaySee(**found, caller_id)) found.reset();
  tokens_.Count(found.has_value(), count_miss);
  return found ? *found : nullptr;
}

bool ActiveTokenCache::MaySee(const CachedToken& token, std::string_view caller_id) {
  return !token.audience_bound || std::find(token.introspectors.begin(), token.introspectors.end(),
                                            caller_id) != token.introspectors.end();
}

ActiveTokenCache::Entry ActiveTokenCache::Share(CachedToken entry) const {
  int64_t now = clock_.NowSeconds();
  entry.expires_at = std::min(entry.expires_at, now + max_ttl_);
  return std::make_shared<const CachedToken>(std::move(entry));
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
