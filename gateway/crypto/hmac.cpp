#include "gateway/crypto/hmac.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>
#include <stdexcept>

namespace oakgate::crypto {
namespace {

EVP_MAC* Mac() {
  static EVP_MAC* mac = [] {
    EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!m) throw std::runtime_error("HMAC is not available");
    return m;
  }();
  return mac;
}

struct CtxDeleter {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

}  // namespace

Sha256Digest HmacSha256(std::string_view key, std::string_view data) {
  thread_local std::unique_ptr<EVP_MAC_CTX, CtxDeleter> ctx(EVP_MAC_CTX_new(Mac()));
  char digest_name[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                         OSSL_PARAM_construct_end()};
  Sha256Digest out{};
  size_t len = 0;
  if (!ctx ||
      EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   params) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return out;
}

}  // namespace oakgate::crypto
