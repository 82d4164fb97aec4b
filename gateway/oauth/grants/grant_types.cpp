#include "gateway/oauth/grants/grant_types.hpp"

namespace oakgate::oauth::grants {

const std::vector<GrantType>& GrantTypes() {
  static const std::vector<GrantType> kGrants = {
      {"authorization_code", &AuthorizationCode, false, true, true},
      {"refresh_token", &RefreshToken, false, false, true},
      {"client_credentials", &ClientCredentials, true, false, false},
  };
  return kGrants;
}

const GrantType* FindGrantType(std::string_view name) {
  for (const auto& g : GrantTypes()) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

std::vector<std::string> GrantTypeNames() {
  std::vector<std::string> out;
  for (const auto& g : GrantTypes()) out.emplace_back(g.name);
  return out;
}

std::vector<std::string> RegistrableGrantTypes() {
  std::vector<std::string> out;
  for (const auto& g : GrantTypes()) {
    if (g.registrable) out.emplace_back(g.name);
  }
  return out;
}

}  // namespace oakgate::oauth::grants
