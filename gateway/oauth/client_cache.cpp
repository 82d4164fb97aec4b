#include "gateway/oauth/client_cache.hpp"

#include <algorithm>

namespace oakgate::oauth {
namespace {

constexpr size_t kMaxSuspects = 10000;

}  // namespace

ClientCache::ClientCache(cache::InvalidationBus& bus, const util::Clock& clock, size_t capacity,
                         int64_t ttl_seconds, int64_t suspect_seconds)
    : bus_(bus),
      clock_(clock),
      ttl_(ttl_seconds),
      suspect_(suspect_seconds),
      clients_(bus, capacity, "introspecting_clients") {
  bus_.Subscribe([this](const cache::Invalidation& inv) { Evict(inv); });
}

bool ClientCache::Suspect(std::string_view client_id, std::string_view address, int64_t now) {
  std::lock_guard lock(mutex_);
  if (all_suspect_until_ > now) return true;
  auto suspect = [&](const std::string& key) {
    auto it = suspect_until_.find(key);
    return it != suspect_until_.end() && it->second > now;
  };
  return suspect(std::string(client_id)) || suspect("@" + std::string(address));
}

std::optional<store::Client> ClientCache::Find(std::string_view client_id,
                                               std::string_view address) {
  int64_t now = clock_.NowSeconds();
  if (!clients_.live() || Suspect(client_id, address, now)) return std::nullopt;
  return clients_.Get(client_id, now);
}

void ClientCache::Fill::Keep(const store::Client& client) {
  int64_t now = cache_->clock_.NowSeconds();
  int64_t expires = now + cache_->ttl_;
  // A previous secret stops working at its grace end: the entry must not outlive it.
  if (client.previous_secret_expires_at && *client.previous_secret_expires_at > now) {
    expires = std::min(expires, *client.previous_secret_expires_at);
  }
  fill_.Keep(client.id, client, {expires, now});
}

void ClientCache::MarkSuspect(std::string_view client_id, std::string_view address) {
  int64_t until = clock_.NowSeconds() + suspect_;
  std::lock_guard lock(mutex_);
  if (suspect_until_.size() + 2 > kMaxSuspects) {
    suspect_until_.clear();
    all_suspect_until_ = until;
    return;
  }
  suspect_until_[std::string(client_id)] = until;
  suspect_until_["@" + std::string(address)] = until;
}

void ClientCache::Evict(const cache::Invalidation& inv) {
  if (inv.subject == cache::Subject::kClient) {
    clients_.Erase(inv.id);
  } else if (inv.subject == cache::Subject::kAll) {
    clients_.Clear();
  }
}

}  // namespace oakgate::oauth
