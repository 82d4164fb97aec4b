// libFuzzer target: HTTP Basic client credentials (RFC 6749 §2.3.1, form-urlencoded inside
// base64). A parsed header always uses the Basic scheme.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/oauth/basic_auth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto credentials = oakgate::oauth::ParseBasicAuth(input);
  if (credentials && !oakgate::oauth::IsBasicScheme(input)) __builtin_trap();
  return 0;
}
