#include "gateway/oauth/client_cache.hpp"

namespace oakgate::oauth {
namespace {

constexpr size_t kMaxSuspects = 10000;

}  // namespace

ClientCache::ClientCache(cache::InvalidationBus& bus, const util::Clock& clock, size_t capacity,
                         int64_t ttl_seconds, int64_t suspect_seconds)
    : bus_(bus), clock_(clock), capacity_(capacity), ttl_(ttl_seconds), suspect_(suspect_seconds) {
  bus_.Subscribe([this](const cache::Invalidation& inv) { Evict(inv); });
}

std::optional<store::Client> ClientCache::Find(std::string_view client_id,
                                               std::string_view address) {
  if (!bus_.live()) return std::nullopt;
  int64_t now = clock_.NowSeconds();
  std::lock_guard lock(mutex_);
  if (all_suspect_until_ > now) return std::nullopt;
  auto suspect = [&](const std::string& key) {
    auto it = suspect_until_.find(key);
    return it != suspect_until_.end() && it->second > now;
  };
  std::string id(client_id);
  if (suspect(id) || suspect("@" + std::string(address))) return std::nullopt;
  auto it = clients_.find(id);
  if (it == clients_.end() || it->second.expires_at <= now) return std::nullopt;
  return it->second.client;
}

void ClientCache::Put(const store::Client& client, uint64_t generation) {
  int64_t now = clock_.NowSeconds();
  std::lock_guard lock(mutex_);
  if (!bus_.live() || bus_.generation() != generation) return;
  if (clients_.size() >= capacity_ && !clients_.count(client.id)) {
    std::erase_if(clients_, [now](const auto& kv) { return kv.second.expires_at <= now; });
    // Full of live entries: keep them rather than let new clients push them out.
    if (clients_.size() >= capacity_) return;
  }
  int64_t expires = now + ttl_;
  // A previous secret stops working at its grace end: the entry must not outlive it.
  if (client.previous_secret_expires_at && *client.previous_secret_expires_at > now) {
    expires = std::min(expires, *client.previous_secret_expires_at);
  }
  clients_[client.id] = Entry{client, expires};
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

size_t ClientCache::size() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

void ClientCache::Evict(const cache::Invalidation& inv) {
  std::lock_guard lock(mutex_);
  if (inv.subject == cache::Subject::kClient) {
    clients_.erase(inv.id);
  } else if (inv.subject == cache::Subject::kAll) {
    clients_.clear();
  }
}

}  // namespace oakgate::oauth
