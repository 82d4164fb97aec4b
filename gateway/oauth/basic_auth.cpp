#include "gateway/oauth/basic_auth.hpp"

#include "gateway/crypto/base64.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::oauth {

bool IsBasicScheme(std::string_view v) {
  return v.size() >= 6 && util::IEquals(v.substr(0, 6), "basic ");
}

std::optional<BasicCredentials> ParseBasicAuth(std::string_view v) {
  if (!IsBasicScheme(v)) return std::nullopt;
  std::string_view encoded = util::Trim(v.substr(6));
  if (encoded.empty() || encoded.size() > 2048) return std::nullopt;
  auto decoded = crypto::Base64Decode(encoded);
  if (!decoded) return std::nullopt;
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  auto id = util::PercentDecode(std::string_view(*decoded).substr(0, colon), true);
  auto secret = util::PercentDecode(std::string_view(*decoded).substr(colon + 1), true);
  if (!id || !secret || id->empty() || !util::IsValidUtf8(*id) || !util::IsValidUtf8(*secret)) {
    return std::nullopt;
  }
  return BasicCredentials{std::move(*id), std::move(*secret)};
}

}  // namespace oakgate::oauth
