#pragma once
// JWTs for the legacy bridge's tests, made with OpenSSL directly and never with the code
// under test (gateway/legacy), so a bug there cannot cancel itself out.
#include <openssl/evp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace oakgate::testing {

std::string Base64UrlForTest(std::string_view bytes);

// A fresh key pair: "RSA" (2048 bits unless told) or "EC" (P-256).
class ForgeKey {
 public:
  static ForgeKey Rsa(int bits = 2048);
  static ForgeKey EcP256();
  std::string PublicPem() const;
  // RS256: RSASSA-PKCS1-v1_5 with SHA-256; ES256: R || S, 32 bytes each (RFC 7518 §3.4).
  std::string Sign(std::string_view input) const;

 private:
  struct Free {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  };
  std::shared_ptr<EVP_PKEY> key_;
  bool ec_ = false;
};

std::string HmacSha256ForTest(std::string_view key, std::string_view input);

// BASE64URL(header) "." BASE64URL(claims) "." BASE64URL(sign(signing input)).
std::string ForgeJwt(const nlohmann::json& header, const nlohmann::json& claims,
                     const std::function<std::string(std::string_view)>& sign);

}  // namespace oakgate::testing
