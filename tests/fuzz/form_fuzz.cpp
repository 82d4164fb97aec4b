// libFuzzer target: form and query decoding (application/x-www-form-urlencoded) and percent
// escapes. Whatever decodes must be valid UTF-8, and encoding then decoding gives it back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/http/form.hpp"
#include "gateway/util/strings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  oakgate::http::FormError error;
  auto params = oakgate::http::ParseUrlEncoded(input, &error);
  if (params) {
    for (const auto& [name, value] : params->items()) {
      if (!oakgate::util::IsValidUtf8(name) || !oakgate::util::IsValidUtf8(value)) {
        __builtin_trap();
      }
      auto back = oakgate::util::PercentDecode(oakgate::util::PercentEncode(value), true);
      if (!back || *back != value) __builtin_trap();
    }
    (void)params->FirstRepeated();
  } else if (error.description.empty()) {
    __builtin_trap();  // every refusal says why
  }
  (void)oakgate::util::PercentDecode(input, false);
  return 0;
}
