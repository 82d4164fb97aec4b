#include "gateway/crypto/secret_box.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "gateway/crypto/hmac.hpp"
#include "gateway/crypto/sha256.hpp"

namespace oakgate::crypto {
namespace {

constexpr size_t kNonce = 12;
constexpr size_t kTag = 16;

using Ctx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

Ctx NewCtx() {
  Ctx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  return ctx;
}

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

SecretBox::SecretBox(const std::vector<std::string>& secrets, std::string_view purpose) {
  for (const auto& s : secrets) {
    if (!s.empty()) keys_.push_back(ToBytes(HmacSha256(s, purpose)));
  }
  if (keys_.empty()) throw std::invalid_argument("SecretBox needs a secret");
}

std::string SecretBox::Seal(std::string_view plain, Random& random) const {
  std::string nonce = random.Bytes(kNonce);
  std::string out = nonce;
  out.resize(kNonce + plain.size() + kTag);
  auto* cipher = reinterpret_cast<unsigned char*>(out.data() + kNonce);
  Ctx ctx = NewCtx();
  int len = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(keys_.front()), U(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipher, &len, U(plain), static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag,
                          out.data() + kNonce + plain.size()) != 1) {
    throw std::runtime_error("AES-256-GCM seal failed");
  }
  return out;
}

std::optional<std::string> SecretBox::Open(std::string_view sealed) const {
  if (sealed.size() < kNonce + kTag) return std::nullopt;
  std::string_view nonce = sealed.substr(0, kNonce);
  std::string_view cipher = sealed.substr(kNonce, sealed.size() - kNonce - kTag);
  std::string tag(sealed.substr(sealed.size() - kTag));
  for (const auto& key : keys_) {
    std::string plain(cipher.size(), '\0');
    auto* out = reinterpret_cast<unsigned char*>(plain.data());
    Ctx ctx = NewCtx();
    int len = 0;
    if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key), U(nonce)) != 1 ||
        EVP_DecryptUpdate(ctx.get(), out, &len, U(cipher), static_cast<int>(cipher.size())) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1) {
      continue;
    }
    // The tag decides: a wrong key or a changed byte fails here.
    if (EVP_DecryptFinal_ex(ctx.get(), out + len, &len) == 1) return plain;
  }
  return std::nullopt;
}

}  // namespace oakgate::crypto
