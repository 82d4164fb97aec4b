#pragma once
// A strict, incremental HTTP/1.1 request parser (RFC 9112). We parse requests ourselves
// instead of using Pistache's Http layer because Pistache 0.0.5 keeps query parameters in a
// map that silently drops repeated ones (RFC 6749 §3.1 requires refusing them), answers
// every HTTP/1.1 request without a Connection header with "Connection: Close", and turns
// parser exceptions into 500s carrying e.what().
#include <cstddef>
#include <string>
#include <string_view>

#include "gateway/http/request.hpp"

namespace oakgate::http {

struct ParseLimits {
  size_t max_request_bytes = 65536;  // request line, headers and body together
  size_t max_headers = 100;
};

enum class ParseStatus { kIncomplete, kHeadersComplete, kComplete, kError };

struct ParseOutcome {
  ParseStatus status = ParseStatus::kIncomplete;
  size_t consumed = 0;   // bytes of the buffer that belong to the request (kComplete)
  int error_status = 0;  // 400, 413, 501, 505 (kError)
  // The machine-readable error (kError): request_too_large for a 413, as the server's own
  // 413 for a connection's buffer; invalid_request for everything else.
  std::string_view error_code;
  std::string error;       // a client-safe description (kError)
  bool keep_alive = true;  // what the client asked for (kComplete)
};

// Parses one request from the start of `buffer`. kIncomplete asks for more bytes;
// kHeadersComplete is kIncomplete with the header section already received (so a body
// timeout applies rather than a header timeout).
ParseOutcome ParseRequest(std::string_view buffer, const ParseLimits& limits, Request& out);

}  // namespace oakgate::http
