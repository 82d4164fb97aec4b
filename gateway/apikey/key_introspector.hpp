#pragma once
// API keys at /oauth/introspect (CONTRACT §4): token_type "api_key" with key_id, agent_id,
// sub, scope and exp when the key expires. Resource servers that accept only access tokens
// must check token_type.
#include "gateway/apikey/key_verifier.hpp"
#include "gateway/oauth/introspection.hpp"

namespace oakgate::apikey {

class KeyIntrospector : public oauth::CredentialIntrospector {
 public:
  explicit KeyIntrospector(KeyVerifier& verifier) : verifier_(verifier) {}
  // nullopt for anything that is not shaped like an API key, so other kinds are asked.
  std::optional<oauth::Introspection> Introspect(std::string_view token,
                                                 const store::Client& caller) override;
  std::optional<oauth::Introspection> TryCached(std::string_view token,
                                                const store::Client& caller) override;

 private:
  KeyVerifier& verifier_;
};

}  // namespace oakgate::apikey
