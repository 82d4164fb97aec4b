#include "gateway/app/legacy_setup.hpp"

#include <fstream>
#include <sstream>

namespace oakgate::app {

std::optional<legacy::JwtKeys> LoadLegacyKeys(const config::Config& cfg) {
  if (!cfg.LegacyJwtEnabled()) return std::nullopt;
  legacy::JwtKeys keys;
  if (!cfg.legacy_jwt_hs256_secret.empty()) keys.SetHmacSecret(cfg.legacy_jwt_hs256_secret);
  if (!cfg.legacy_jwt_public_key_file.empty()) {
    std::ifstream in(cfg.legacy_jwt_public_key_file, std::ios::binary);
    if (!in) {
      throw config::ConfigError("legacy_jwt_public_key_file",
                                "cannot read " + cfg.legacy_jwt_public_key_file);
    }
    std::stringstream pem;
    pem << in.rdbuf();
    if (pem.str().size() > 64 * 1024) {
      throw config::ConfigError("legacy_jwt_public_key_file", "is too large for a public key");
    }
    if (auto refused = keys.SetPublicKeyPem(pem.str())) {
      throw config::ConfigError("legacy_jwt_public_key_file", *refused);
    }
  }
  return keys;
}

legacy::JwtPolicy LegacyPolicyOf(const config::Config& cfg) {
  legacy::JwtPolicy p;
  if (!cfg.legacy_jwt_issuer.empty()) p.issuer = cfg.legacy_jwt_issuer;
  if (!cfg.legacy_jwt_audience.empty()) p.audience = cfg.legacy_jwt_audience;
  p.user_claim = cfg.legacy_jwt_user_claim;
  return p;
}

LegacyStack::LegacyStack(const config::Config& cfg, store::pg::PgDatabase& db,
                         oauth::ClientAuthenticator& client_auth, oauth::TokenService& tokens,
                         const util::Clock& clock)
    : store_(db) {
  auto keys = LoadLegacyKeys(cfg);
  if (!keys) return;
  bridge_ = std::make_unique<legacy::LegacyBridge>(
      db, store_, client_auth, tokens, std::move(*keys),
      legacy::BridgeSettings{LegacyPolicyOf(cfg), cfg.legacy_exchange_client}, clock);
  context_ = std::make_unique<handlers::legacy::LegacyContext>(handlers::legacy::LegacyContext{
      *bridge_, cfg.legacy_sunset, !cfg.legacy_exchange_client.empty()});
}

}  // namespace oakgate::app
