#include "gateway/handlers/dashboard/reveal.hpp"

#include "gateway/crypto/compare.hpp"
#include "gateway/crypto/hmac.hpp"

namespace oakgate::handlers::dashboard {
namespace {

constexpr size_t kTag = 32;
constexpr size_t kMaxKey = 480;

std::string Label(std::string_view what, std::string_view key_id) {
  return "oakgate dashboard reveal v1 " + std::string(what) + "\n" + std::string(key_id) + "\n";
}

std::string Xor(std::string_view cookie, std::string_view key_id, std::string_view in) {
  std::string out(in);
  std::string label = Label("stream", key_id);
  for (size_t block = 0; block * 32 < out.size(); ++block) {
    auto pad = crypto::HmacSha256(cookie, label + std::to_string(block));
    for (size_t i = 0; i < 32 && block * 32 + i < out.size(); ++i) {
      out[block * 32 + i] = static_cast<char>(out[block * 32 + i] ^ pad[i]);
    }
  }
  return out;
}

std::string Tag(std::string_view cookie, std::string_view key_id, std::string_view body) {
  auto d = crypto::HmacSha256(cookie, Label("tag", key_id) + std::string(body));
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace

std::string SealReveal(std::string_view cookie, std::string_view key_id, std::string_view key) {
  std::string body = Xor(cookie, key_id, key.substr(0, kMaxKey));
  return Tag(cookie, key_id, body) + body;
}

std::optional<std::string> OpenReveal(std::string_view cookie, std::string_view key_id,
                                      std::string_view sealed) {
  if (cookie.empty() || sealed.size() <= kTag || sealed.size() > kTag + kMaxKey) {
    return std::nullopt;
  }
  std::string_view body = sealed.substr(kTag);
  if (!crypto::ConstantTimeEquals(Tag(cookie, key_id, body), sealed.substr(0, kTag))) {
    return std::nullopt;
  }
  return Xor(cookie, key_id, body);
}

}  // namespace oakgate::handlers::dashboard
