#pragma once
// What introspection answers (RFC 7662 §2.2), shared by the service and its caches.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace oakgate::oauth {

struct Introspection {
  bool active = false;
  std::string token_type;  // "Bearer", "refresh_token", "api_key"
  std::optional<std::string> scope;
  std::optional<std::string> client_id;
  std::optional<std::string> username;
  std::optional<std::string> sub;
  std::optional<int64_t> exp;
  std::optional<int64_t> iat;
  std::optional<std::string> iss;
  std::vector<std::string> aud;  // RFC 7662 §2.2, RFC 8707: the resources it is bound to
  std::map<std::string, std::string> extra;  // e.g. key_id, agent_id
  // Inactive because no such credential exists (unknown or malformed, not expired or
  // revoked): a failed lookup, counted per address by LookupThrottle.
  bool unknown = false;
  // The JSON answer, when a cache rendered it already (handlers send it as it is).
  std::shared_ptr<const std::string> rendered;
};

}  // namespace oakgate::oauth
