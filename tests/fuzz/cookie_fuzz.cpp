// libFuzzer target: the Cookie header parser. A value it returns contains only RFC 6265
// cookie-octets.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/http/cookies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (std::string_view name : {"oakgate_session", "oakgate_csrf", "__Host-oakgate_session", ""}) {
    auto value = oakgate::http::FindCookie(input, name);
    if (!value) continue;
    for (unsigned char c : *value) {
      bool octet = c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
                   (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
      if (!octet) __builtin_trap();
    }
  }
  return 0;
}
