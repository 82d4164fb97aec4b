#include "gateway/apikey/key_verifier.hpp"

#include "gateway/apikey/key_format.hpp"
#include "gateway/crypto/compare.hpp"
#include "gateway/crypto/sha256.hpp"
#include "gateway/observe/log.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::apikey {
namespace {

constexpr int64_t kTouchInterval = 60;
constexpr size_t kMaxTracked = 100000;

}  // namespace

std::string_view KeyErrorCode(KeyError error) {
  switch (error) {
    case KeyError::kInvalidFormat:
      return "invalid_api_key_format";
    case KeyError::kInvalid:
      return "invalid_api_key";
    case KeyError::kRevoked:
      return "api_key_revoked";
    case KeyError::kExpired:
      return "api_key_expired";
  }
  return "invalid_api_key";
}

std::string_view KeyErrorDescription(KeyError error) {
  switch (error) {
    case KeyError::kInvalidFormat:
      return "expected an API key pk_<id>.sk_<secret> in X-API-Key or Authorization: Bearer";
    case KeyError::kInvalid:
      return "the API key is not valid";
    case KeyError::kRevoked:
      return "the API key has been revoked";
    case KeyError::kExpired:
      return "the API key has expired";
  }
  return "the API key is not valid";
}

util::Result<VerifiedKey, KeyError> KeyVerifier::Verify(std::string_view presented) {
  auto key_id = ParseKeyId(presented);
  if (!key_id) return util::Fail(KeyError::kInvalidFormat);
  // A key id the database did not know a moment ago is not asked again: ids are random.
  auto load = [&]() -> std::optional<store::ApiKeyWithAgent> {
    if (unknown_ && unknown_->Contains(*key_id)) return std::nullopt;
    auto row = db_.ApiKeys().FindForVerification(*key_id);
    if (!row && unknown_) unknown_->Add(*key_id);
    return row;
  };
  auto found = cache_ ? cache_->GetOrLoad(*key_id, load) : load();
  auto verified = Check(presented, found);
  if (verified) NoteUse(verified.value().key_id);
  return verified;
}

std::optional<util::Result<VerifiedKey, KeyError>> KeyVerifier::TryCached(
    std::string_view presented) {
  if (!cache_) return std::nullopt;
  auto key_id = ParseKeyId(presented);
  if (!key_id) return util::Result<VerifiedKey, KeyError>(util::Fail(KeyError::kInvalidFormat));
  auto found = cache_->Find(*key_id, false);
  if (!found && !(unknown_ && unknown_->Contains(*key_id, false))) return std::nullopt;
  auto verified = Check(presented, found);
  if (verified && TouchDue(verified.value().key_id)) return std::nullopt;  // a write is due
  return verified;
}

util::Result<VerifiedKey, KeyError> KeyVerifier::Check(
    std::string_view presented, const std::optional<store::ApiKeyWithAgent>& found) {
  // Hash even when the key is unknown, so both paths cost the same.
  auto digest = crypto::ToBytes(crypto::Sha256(presented));
  if (!found) return util::Fail(KeyError::kInvalid);
  if (!crypto::ConstantTimeEquals(digest, found->key.key_hash)) {
    return util::Fail(KeyError::kInvalid);
  }
  // Only now, with the secret proven, may the key's state be told. A disabled user's keys
  // count as revoked (CONTRACT §1: disabling revokes their keys).
  if (found->key.revoked_at || found->user_disabled) return util::Fail(KeyError::kRevoked);
  if (found->key.expired) return util::Fail(KeyError::kExpired);
  VerifiedKey v;
  v.key_id = found->key.key_id;
  v.agent_id = found->key.agent_id;
  v.user_id = found->key.user_id;
  v.scopes = found->key.scopes;
  v.expires_at = found->key.expires_at;
  v.created_at = found->key.created_at;
  v.agent_enabled = found->agent_enabled;
  v.rate_limit = found->rate_limit;
  v.burst = found->burst;
  v.org_id = found->org_id;
  v.agent_user_id = found->agent_user_id;
  return v;
}

bool KeyVerifier::TouchDue(const std::string& key_id) {
  int64_t now = clock_.NowSeconds();
  std::lock_guard lock(mutex_);
  auto it = last_touch_.find(key_id);
  return it == last_touch_.end() || now - it->second >= kTouchInterval;
}

void KeyVerifier::NoteUse(const std::string& key_id) {
  int64_t now = clock_.NowSeconds();
  {
    std::lock_guard lock(mutex_);
    auto it = last_touch_.find(key_id);
    if (it != last_touch_.end() && now - it->second < kTouchInterval) return;
    if (last_touch_.size() >= kMaxTracked) last_touch_.clear();
    last_touch_[key_id] = now;
  }
  // The statement itself also skips rows written within the minute, so several instances
  // (or a restart) still write at most about once a minute per key.
  try {
    db_.ApiKeys().TouchLastUsed(key_id);
  } catch (const util::ServiceUnavailable& e) {
    std::lock_guard lock(mutex_);
    last_touch_.erase(key_id);
    observe::Warn("last_used_at not recorded", {{"key_id", key_id}, {"detail", e.what()}});
  }
}

}  // namespace oakgate::apikey
