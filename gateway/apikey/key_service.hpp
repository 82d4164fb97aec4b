#pragma once
// Issuing, rotating and revoking API keys: shared by the management API and the CLI.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/apikey/key_format.hpp"
#include "gateway/store/database.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::apikey {

inline constexpr std::string_view kDefaultAgent = "default";

struct IssueRequest {
  std::string user_id;
  std::optional<std::string> agent_id;                  // the user's agent; absent: agent_name
  std::string agent_name = std::string(kDefaultAgent);  // found or created
  std::string name;
  std::vector<std::string> scopes;  // validated "tool:scope"
  std::optional<int64_t> expires_in;
  store::AuditEvent audit;  // type and subject are filled in here
};

struct IssuedKey {
  store::ApiKey key;
  PlaintextKey plaintext;                     // shown once
  std::optional<int64_t> old_key_expires_at;  // rotation only
};

enum class KeyServiceError { kAgentNotFound, kKeyNotFound, kKeyRevoked };

class KeyService {
 public:
  explicit KeyService(store::Database& db) : db_(db) {}
  util::Result<IssuedKey, KeyServiceError> Issue(const IssueRequest& request);
  // The replacement keeps the old key's agent, name, scopes and lifetime; the old key works
  // for grace_seconds more (never longer than it would have anyway).
  util::Result<IssuedKey, KeyServiceError> Rotate(const std::string& user_id,
                                                  const std::string& key_id, int64_t grace_seconds,
                                                  store::AuditEvent audit);
  bool Revoke(const std::string& user_id, const std::string& key_id, store::AuditEvent audit);

 private:
  store::Database& db_;
};

}  // namespace oakgate::apikey
