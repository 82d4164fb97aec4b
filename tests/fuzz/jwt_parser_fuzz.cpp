// libFuzzer target: the legacy JWT parser (CONTRACT §12) is total on any bytes (a value or a
// failure, never a crash, an exception or a hang), and what it accepts is consistent: three
// segments whose first two are the signing input, JSON objects for header and claims. The
// verifier runs on every input too, with an HMAC key, so the claim checks are fuzzed as well.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/legacy/jwt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = oakgate::legacy::ParseJwt(input);
  if (parsed) {
    const auto& jwt = parsed.value();
    if (input.size() > oakgate::legacy::kMaxJwtBytes) __builtin_trap();
    if (input.substr(0, jwt.signing_input.size()) != jwt.signing_input) __builtin_trap();
    if (input[jwt.signing_input.size()] != '.') __builtin_trap();
    if (!jwt.header.is_object() || !jwt.claims.is_object()) __builtin_trap();
  }
  static const oakgate::legacy::JwtKeys* keys = [] {
    auto* k = new oakgate::legacy::JwtKeys();
    k->SetHmacSecret("fuzzing-secret-fuzzing-secret-32b");
    return k;
  }();
  oakgate::legacy::JwtPolicy policy;
  policy.issuer = "https://legacy.example";
  policy.audience = "oakgate";
  (void)oakgate::legacy::VerifyJwt(input, *keys, policy, 1700000000);
  return 0;
}
