// libFuzzer target: the API key format "pk_<16>.sk_<43>" (CONTRACT §5). Whatever parses has
// exactly the key's length, and its key_id is the well-formed public half it starts with.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/apikey/key_format.hpp"

namespace apikey = oakgate::apikey;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto id = apikey::ParseKeyId(input);
  if (id) {
    if (input.size() != apikey::kKeyLength) __builtin_trap();
    if (!apikey::IsKeyId(*id) || input.substr(0, id->size()) != *id) __builtin_trap();
    if (input.substr(apikey::kKeyIdLength, 4) != ".sk_") __builtin_trap();
  }
  (void)apikey::IsKeyId(input);
  return 0;
}
