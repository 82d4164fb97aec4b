#pragma once
// Verifying a presented API key (CONTRACT §5). The entry point for /v1/validate and, later,
// for /oauth/introspect. Revoked and expired are told only when the secret matched
// (PITFALLS 8): the key_id is public, so its state must not leak to whoever saw it.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway/apikey/key_cache.hpp"
#include "gateway/oauth/inactive_token_cache.hpp"
#include "gateway/store/database.hpp"
#include "gateway/util/clock.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::apikey {

enum class KeyError { kInvalidFormat, kInvalid, kRevoked, kExpired };
// The `error` of the 401 answer: invalid_api_key_format, invalid_api_key, api_key_revoked,
// api_key_expired.
std::string_view KeyErrorCode(KeyError error);
std::string_view KeyErrorDescription(KeyError error);

struct VerifiedKey {
  std::string key_id;
  std::string agent_id;
  std::string user_id;
  std::vector<std::string> scopes;  // "tool:scope"; empty: not narrowed
  std::optional<int64_t> expires_at;
  int64_t created_at = 0;
  // The agent, from the same lookup, for /v1/validate.
  bool agent_enabled = true;
  int64_t rate_limit = 60;
  int64_t burst = 60;
  // The agent's organization (its monthly limit, its usage) and the user its decisions are
  // written with: the one whose personal organization holds the agent, none for a shared one.
  std::string org_id;
  std::optional<std::string> agent_user_id;
};

// What /v1/validate asks of key verification (policy::Validator), so that its checks are
// tested with a small fake.
class KeyCheck {
 public:
  virtual ~KeyCheck() = default;
  // May read the database: throws util::ServiceUnavailable when it cannot answer.
  virtual util::Result<VerifiedKey, KeyError> Verify(std::string_view presented) = 0;
  // Memory only: the answer, or nullopt when it needs the database.
  virtual std::optional<util::Result<VerifiedKey, KeyError>> TryCached(
      std::string_view presented) = 0;
};

class KeyVerifier : public KeyCheck {
 public:
  // `cache` (optional) holds the rows of keys seen before.
  // `unknown` (optional) remembers key ids the database does not know: ids are random, so one
  // that is unknown now is not handed out later.
  KeyVerifier(store::Database& db, const util::Clock& clock, KeyCache* cache = nullptr,
              oauth::InactiveTokenCache* unknown = nullptr)
      : db_(db), clock_(clock), cache_(cache), unknown_(unknown) {}
  // One primary-key lookup (none on a cache hit). Throws util::ServiceUnavailable when the
  // database cannot answer (never "invalid"). Records last_used_at at most once a minute per
  // key.
  util::Result<VerifiedKey, KeyError> Verify(std::string_view presented) override;
  // Memory only, for the reactor thread: the answer when the key's row is cached and no
  // last_used_at write is due; nullopt sends the caller to Verify.
  std::optional<util::Result<VerifiedKey, KeyError>> TryCached(std::string_view presented) override;

 private:
  util::Result<VerifiedKey, KeyError> Check(std::string_view presented,
                                            const std::optional<store::ApiKeyWithAgent>& found);
  bool TouchDue(const std::string& key_id);
  void NoteUse(const std::string& key_id);

  store::Database& db_;
  const util::Clock& clock_;
  KeyCache* cache_;
  oauth::InactiveTokenCache* unknown_;
  std::mutex mutex_;
  std::unordered_map<std::string, int64_t> last_touch_;  // key_id -> Unix seconds
};

}  // namespace oakgate::apikey
