// libFuzzer target: the HTTP/1.1 request parser must never crash, read out of bounds, or
// claim more bytes than it was given, whatever arrives on a socket.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/http/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  oakgate::http::ParseLimits limits;
  limits.max_request_bytes = 4096;
  size_t offset = 0;
  // Parse pipelined requests the way the server does.
  while (offset < input.size()) {
    oakgate::http::Request request;
    auto outcome = oakgate::http::ParseRequest(input.substr(offset), limits, request);
    if (outcome.status != oakgate::http::ParseStatus::kComplete) break;
    if (outcome.consumed == 0 || outcome.consumed > input.size() - offset) __builtin_trap();
    (void)request.MediaType();
    (void)request.WantsJson();
    (void)request.Cookie("oakgate_session");
    offset += outcome.consumed;
  }
  return 0;
}
