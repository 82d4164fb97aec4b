#pragma once
// API keys (CONTRACT §5), stored by key_id with the SHA-256 of the whole key.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/audit_event.hpp"

namespace oakgate::store {

struct ApiKey {
  std::string key_id;
  std::string key_hash;  // 32 raw bytes
  std::string user_id;   // who created it
  std::string org_id;    // the organization of its agent
  std::string agent_id;
  std::string name;
  std::vector<std::string> scopes;
  int64_t created_at = 0;
  std::optional<int64_t> expires_at;
  std::optional<int64_t> revoked_at;
  std::optional<int64_t> last_used_at;
  std::optional<std::string> replaces;
  // Evaluated by the database against its own clock when read.
  bool expired = false;
};

// A key with what verification needs about its agent and user, from one lookup.
struct ApiKeyWithAgent {
  ApiKey key;
  bool user_disabled = false;
  bool agent_enabled = true;
  int64_t rate_limit = 60;
  int64_t burst = 60;
  // The agent's organization (CONTRACT §9), and the user whose personal organization holds
  // the agent (none for an agent of a shared organization): what its decisions are written
  // with.
  std::string org_id;
  std::optional<std::string> agent_user_id;
};

// The dashboard's one-time slot for a new key (SessionStore::PutReveal): written in the same
// transaction as the key, so a key is never issued without the slot its page reads.
struct KeyReveal {
  int64_t session_id = 0;
  std::string sealed;  // the key sealed to the session cookie, never the key itself
};

struct NewApiKey {
  std::string key_id;
  std::string key_hash;
  std::string user_id;  // who creates it
  std::string org_id;   // the organization of its agent
  std::string agent_id;
  std::string name;
  std::vector<std::string> scopes;
  std::optional<int64_t> expires_in;  // seconds from now; nullopt: never
  std::optional<KeyReveal> reveal;    // the dashboard's slot, if it asked for one
};

class ApiKeyStore {
 public:
  virtual ~ApiKeyStore() = default;
  virtual ApiKey Insert(const NewApiKey& key, const AuditEvent& audit) = 0;
  virtual std::optional<ApiKeyWithAgent> FindForVerification(std::string_view key_id) = 0;
  // The management reads and writes are scoped by the organization (CONTRACT §9).
  virtual std::optional<ApiKey> FindInOrg(std::string_view org_id, std::string_view key_id) = 0;
  virtual std::vector<ApiKey> ListForOrg(std::string_view org_id) = 0;
  // false when the organization has no such key. Revoking twice keeps the first time.
  virtual bool Revoke(std::string_view org_id, std::string_view key_id,
                      const AuditEvent& audit) = 0;
  // In one transaction: the old key (unrevoked, the organization's) expires at
  // least(its expiry, now + grace) and the new key, which replaces it, is inserted.
  // nullopt when the old key is not the organization's or is revoked. Returns (new key, old
  // expiry).
  virtual std::optional<std::pair<ApiKey, int64_t>> Rotate(std::string_view org_id,
                                                           std::string_view old_key_id,
                                                           const NewApiKey& replacement,
                                                           int64_t grace_seconds,
                                                           const AuditEvent& audit) = 0;
  // Sets last_used_at unless it was set within the last minute.
  virtual void TouchLastUsed(std::string_view key_id) = 0;
};

}  // namespace oakgate::store
