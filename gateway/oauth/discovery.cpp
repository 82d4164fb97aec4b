#include "gateway/oauth/discovery.hpp"

#include <nlohmann/json.hpp>

#include "gateway/oauth/grants/grant_types.hpp"

namespace oakgate::oauth {

std::string IssuerPath(const std::string& issuer) {
  size_t scheme = issuer.find("://");
  if (scheme == std::string::npos) return "";
  size_t slash = issuer.find('/', scheme + 3);
  if (slash == std::string::npos) return "";
  std::string path = issuer.substr(slash);
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

std::string DiscoveryDocument(const std::string& issuer, bool registration) {
  nlohmann::ordered_json doc = {
      {"issuer", issuer},
      {"authorization_endpoint", issuer + "/oauth/authorize"},
      {"token_endpoint", issuer + "/oauth/token"},
      {"introspection_endpoint", issuer + "/oauth/introspect"},
      {"revocation_endpoint", issuer + "/oauth/revoke"},
      {"response_types_supported", {"code"}},
      {"response_modes_supported", {"query"}},
      {"grant_types_supported", grants::GrantTypeNames()},
      {"code_challenge_methods_supported", {"S256"}},
      {"token_endpoint_auth_methods_supported",
       {"none", "client_secret_basic", "client_secret_post"}},
      {"introspection_endpoint_auth_methods_supported",
       {"client_secret_basic", "client_secret_post"}},
      {"revocation_endpoint_auth_methods_supported",
       {"none", "client_secret_basic", "client_secret_post"}},
      {"scopes_supported", {"keys", "agents"}},
      {"authorization_response_iss_parameter_supported", true},
  };
  // MCP clients refuse to proceed without code_challenge_methods_supported (above) and find
  // the registration endpoint here.
  if (registration) doc["registration_endpoint"] = issuer + "/oauth/register";
  return doc.dump();
}

}  // namespace oakgate::oauth
