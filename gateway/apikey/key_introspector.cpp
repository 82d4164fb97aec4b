#include "gateway/apikey/key_introspector.hpp"

#include "gateway/apikey/key_format.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::apikey {

namespace {

oauth::Introspection Answer(const util::Result<VerifiedKey, KeyError>& key) {
  oauth::Introspection out;  // inactive unless the key verifies
  if (!key) {
    // Revoked and expired keys exist; a malformed or unknown one is a failed lookup.
    out.unknown = key.error() == KeyError::kInvalidFormat || key.error() == KeyError::kInvalid;
    return out;
  }
  const VerifiedKey& k = key.value();
  out.active = true;
  out.token_type = "api_key";
  out.scope = util::JoinList(k.scopes);
  out.sub = k.user_id;
  out.exp = k.expires_at;
  out.iat = k.created_at;
  out.extra = {{"key_id", k.key_id}, {"agent_id", k.agent_id}};
  return out;
}

}  // namespace

std::optional<oauth::Introspection> KeyIntrospector::Introspect(std::string_view token,
                                                                const store::Client&) {
  if (token.substr(0, 3) != "pk_") return std::nullopt;
  return Answer(verifier_.Verify(token));
}

std::optional<oauth::Introspection> KeyIntrospector::TryCached(std::string_view token,
                                                               const store::Client&) {
  if (token.substr(0, 3) != "pk_") return std::nullopt;
  auto key = verifier_.TryCached(token);
  if (!key) return std::nullopt;
  return Answer(*key);
}

}  // namespace oakgate::apikey
