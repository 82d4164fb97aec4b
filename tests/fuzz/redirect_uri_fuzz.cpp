// libFuzzer target: redirect URI matching. The input is split at the first newline into a
// registered URI and a requested one. A match is always one of the registered URIs, and an
// exact copy of a registered URI always matches.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/oauth/redirect_uri.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string registered(input.substr(0, nl));
  std::string requested(nl == std::string_view::npos ? "" : input.substr(nl + 1));
  std::vector<std::string> list = {registered};
  auto match = oakgate::oauth::MatchRedirectUri(list, requested);
  if (match && *match != registered) __builtin_trap();
  if (!oakgate::oauth::MatchRedirectUri(list, registered)) __builtin_trap();
  (void)oakgate::oauth::OriginOf(requested);
  (void)oakgate::oauth::IsLoopbackRedirect(requested);
  return 0;
}
