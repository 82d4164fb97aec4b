#pragma once
// The legacy JWT bridge's storage (CONTRACT §12): mapping a token's user claim to a user, and
// the exchange with its replay record, in one transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/store/audit_event.hpp"
#include "gateway/store/token_store.hpp"

namespace oakgate::store {

struct LegacyUser {
  std::string id;
  std::string email;
  bool disabled = false;
};

struct LegacyExchange {
  std::string replay_key;         // 32 raw bytes: SHA-256 of the jti, or of the whole token
  int64_t replay_expires_at = 0;  // seconds since the epoch; the record may go after it
  std::string client_id;
  std::string user_id;
  std::vector<std::string> scopes;
  int64_t family_ttl_seconds = 0;
  int64_t family_idle_ttl_seconds = 0;  // 0: no idle limit
  NewTokens tokens;
  AuditEvent audit;  // its subject is set to "family:<id>"
};

class LegacyJwtStore {
 public:
  virtual ~LegacyJwtStore() = default;
  // By normalised email, or by id when `key` is a UUID; nullopt when there is none.
  virtual std::optional<LegacyUser> FindUser(std::string_view key) = 0;
  // In one transaction: records the replay key (one INSERT ... ON CONFLICT DO NOTHING decides
  // who wins), starts a family for the user and client, issues the tokens and writes the
  // audit event. nullopt, with nothing written, when the key was recorded before.
  virtual std::optional<Issued> Exchange(const LegacyExchange& exchange) = 0;
};

}  // namespace oakgate::store
