#include "gateway/crypto/sha256.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "gateway/util/strings.hpp"

namespace oakgate::crypto {
namespace {

// Fetched once for the process: EVP_sha256() would fetch (and lock) on every call.
EVP_MD* Digest() {
  static EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!m) throw std::runtime_error("SHA256 is not available");
    return m;
  }();
  return md;
}

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

EVP_MD_CTX* ThreadContext() {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out{};
  EVP_MD_CTX* ctx = ThreadContext();
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex2(ctx, Digest(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != out.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return out;
}

std::string ToHex(const Sha256Digest& digest) {
  return util::HexLower(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string ToBytes(const Sha256Digest& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace oakgate::crypto
