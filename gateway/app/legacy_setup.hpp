#pragma once
// Builds the legacy JWT bridge's keys from the configuration (CONTRACT §12).
#include <memory>
#include <optional>

#include "gateway/config/config.hpp"
#include "gateway/handlers/legacy/legacy.hpp"
#include "gateway/legacy/bridge.hpp"
#include "gateway/legacy/jwt.hpp"
#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/pg_legacy_jwt_store.hpp"

namespace oakgate::app {

// nullopt when the bridge is off; config::ConfigError naming the key when a key is refused
// (a file that cannot be read, a PEM that is not an RSA >= 2048 or P-256 public key).
std::optional<legacy::JwtKeys> LoadLegacyKeys(const config::Config& cfg);
legacy::JwtPolicy LegacyPolicyOf(const config::Config& cfg);

// The bridge and its handlers' context, built the same way for `serve` and `oakgate routes`;
// context() is null when the bridge is off (its routes then do not exist). Throws
// config::ConfigError as LoadLegacyKeys does. Holds references to its arguments.
class LegacyStack {
 public:
  LegacyStack(const config::Config& cfg, store::pg::PgDatabase& db,
              oauth::ClientAuthenticator& client_auth, oauth::TokenService& tokens,
              const util::Clock& clock);
  LegacyStack(const LegacyStack&) = delete;
  LegacyStack& operator=(const LegacyStack&) = delete;
  handlers::legacy::LegacyContext* context() const { return context_.get(); }

 private:
  store::pg::PgLegacyJwtStore store_;
  std::unique_ptr<legacy::LegacyBridge> bridge_;
  std::unique_ptr<handlers::legacy::LegacyContext> context_;
};

}  // namespace oakgate::app
