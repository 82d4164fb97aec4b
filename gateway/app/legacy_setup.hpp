#pragma once
// Builds the legacy JWT bridge's keys from the configuration (CONTRACT §12).
#include <optional>

#include "gateway/config/config.hpp"
#include "gateway/legacy/jwt.hpp"

namespace oakgate::app {

// nullopt when the bridge is off; config::ConfigError naming the key when a key is refused
// (a file that cannot be read, a PEM that is not an RSA >= 2048 or P-256 public key).
std::optional<legacy::JwtKeys> LoadLegacyKeys(const config::Config& cfg);
legacy::JwtPolicy LegacyPolicyOf(const config::Config& cfg);

}  // namespace oakgate::app
