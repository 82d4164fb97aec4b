#pragma once
// API keys (CONTRACT §5): issuing, listing, rotating and revoking the keys of the principal's
// organization. Needs the scope `keys`. A key's agent must be the organization's; without
// one, the key goes to the agent named `default`, created on first use. Owners and admins
// manage every key; a member reads them all and manages only keys of agents it created
// (CONTRACT §9).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/apikey/key_format.hpp"
#include "gateway/manage/domain_error.hpp"
#include "gateway/manage/principal.hpp"
#include "gateway/store/agent_store.hpp"
#include "gateway/store/api_key_store.hpp"

namespace oakgate::manage {

inline constexpr std::string_view kDefaultAgent = "default";
inline constexpr int64_t kMaxKeyLifetime = 10LL * 365 * 24 * 3600;
inline constexpr int64_t kMaxKeyGraceSeconds = 30LL * 24 * 3600;

struct KeyInput {
  // Required through the API and the dashboard; the operator's command line may leave a key
  // unnamed, as `oakgate apikey create` always has.
  std::optional<std::string> name;
  std::optional<std::string> agent_id;                  // the principal's agent
  std::string agent_name = std::string(kDefaultAgent);  // without agent_id: found or created
  std::vector<std::string> scopes;                      // "tool:scope", `*` on either side
  std::optional<int64_t> expires_in;                    // seconds; absent: never
};

// The dashboard's one-time slot for the new key (sql/0008). It is written in the same
// transaction as the key, so a failure cannot leave a key issued whose page then says it
// was shown already. `seal` turns (key_id, key) into what the slot keeps.
struct RevealSlot {
  int64_t session_id = 0;
  std::function<std::string(std::string_view key_id, std::string_view key)> seal;
};

struct IssuedKey {
  store::ApiKey key;
  apikey::PlaintextKey plaintext;             // shown once
  std::optional<int64_t> old_key_expires_at;  // rotation only
};

class KeyService {
 public:
  KeyService(store::AgentStore& agents, store::ApiKeyStore& keys) : agents_(agents), keys_(keys) {}
  Outcome<IssuedKey> Issue(const Principal& who, const KeyInput& input,
                           const std::optional<RevealSlot>& reveal = std::nullopt);
  Outcome<std::vector<store::ApiKey>> List(const Principal& who);
  Outcome<store::ApiKey> Get(const Principal& who, std::string_view key_id);
  // The replacement keeps the old key's agent, name, scopes and lifetime; the old key works
  // for grace_seconds more (never longer than it would have anyway).
  Outcome<IssuedKey> Rotate(const Principal& who, std::string_view key_id, int64_t grace_seconds,
                            const std::optional<RevealSlot>& reveal = std::nullopt);
  Outcome<Done> Revoke(const Principal& who, std::string_view key_id);

 private:
  // Forbidden unless the principal may rotate or revoke `key` (CONTRACT §9).
  std::optional<DomainError> MayManageKeyOf(const Principal& who, const store::ApiKey& key);
  store::AgentStore& agents_;
  store::ApiKeyStore& keys_;
};

}  // namespace oakgate::manage
