// libFuzzer target: base64 and base64url decoding are strict and canonical: whatever
// decodes encodes back to the same text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/crypto/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto bytes = oakgate::crypto::Base64UrlDecode(input)) {
    if (oakgate::crypto::Base64UrlEncode(*bytes) != input) __builtin_trap();
  }
  if (auto bytes = oakgate::crypto::Base64Decode(input)) {
    if (oakgate::crypto::Base64Encode(*bytes) != input) __builtin_trap();
  }
  return 0;
}
