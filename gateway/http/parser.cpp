#include "gateway/http/parser.hpp"

#include "gateway/util/strings.hpp"

namespace oakgate::http {
namespace {

bool IsTokenChar(unsigned char c) {
  // RFC 9110 §5.6.2 tchar
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

ParseOutcome Error(int status, std::string message) {
  ParseOutcome o;
  o.status = ParseStatus::kError;
  o.error_status = status;
  o.error_code = status == 413 ? "request_too_large" : "invalid_request";
  o.error = std::move(message);
  return o;
}

bool HasToken(std::string_view list, std::string_view token) {
  for (std::string_view part : util::Split(list, ',')) {
    if (util::IEquals(util::Trim(part), token)) return true;
  }
  return false;
}

}  // namespace

ParseOutcome ParseRequest(std::string_view buffer, const ParseLimits& limits, Request& out) {
  // RFC 9112 §2.2: ignore at least one empty line before the request-line.
  size_t start = 0;
  while (start + 1 < buffer.size() && buffer[start] == '\r' && buffer[start + 1] == '\n') {
    start += 2;
  }
  size_t header_end = buffer.find("\r\n\r\n", start);
  if (header_end == std::string_view::npos) {
    if (buffer.size() > limits.max_request_bytes) {
      return Error(413, "request headers too large");
    }
    return ParseOutcome{};
  }
  size_t body_start = header_end + 4;
  if (body_start - start > limits.max_request_bytes) {
    return Error(413, "request headers too large");
  }
  std::string_view head = buffer.substr(start, header_end - start);
  for (unsigned char c : head) {
    if (c == 0) return Error(400, "invalid character in request head");
  }

  out = Request{};
  size_t line_end = head.find("\r\n");
  std::string_view request_line = head.substr(0, line_end);
  std::string_view header_block =
      line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);

  // request-line = method SP request-target SP HTTP-version
  size_t sp1 = request_line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos ||
      request_line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Error(400, "malformed request line");
  }
  std::string_view method = request_line.substr(0, sp1);
  std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = request_line.substr(sp2 + 1);
  if (method.empty() || method.size() > 20) return Error(400, "malformed method");
  for (unsigned char c : method) {
    if (!IsTokenChar(c)) return Error(400, "malformed method");
  }
  if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." ||
      (version[7] != '0' && version[7] != '1')) {
    if (version.substr(0, 5) == "HTTP/") return Error(505, "only HTTP/1.0 and HTTP/1.1");
    return Error(400, "malformed HTTP version");
  }
  out.minor_version = version[7] - '0';
  if (target.empty() || target.front() != '/') {
    return Error(400, "request target must be a path");
  }
  for (unsigned char c : target) {
    if (c <= 0x20 || c >= 0x7F) return Error(400, "invalid character in request target");
  }
  out.method = std::string(method);
  out.target = std::string(target);
  size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  if (q != std::string_view::npos) out.raw_query = std::string(target.substr(q + 1));
  size_t hash = out.raw_query.find('#');
  if (hash != std::string::npos) out.raw_query.resize(hash);
  auto path = util::PercentDecode(raw_path, false);
  if (!path || path->find('\0') != std::string::npos || !util::IsValidUtf8(*path)) {
    return Error(400, "malformed path");
  }
  out.path = std::move(*path);

  // header-field = field-name ":" OWS field-value OWS
  size_t count = 0;
  size_t pos = 0;
  while (pos < header_block.size()) {
    size_t eol = header_block.find("\r\n", pos);
    std::string_view line = header_block.substr(
        pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? header_block.size() : eol + 2;
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') {
      return Error(400, "obsolete header line folding");  // RFC 9112 §5.2
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Error(400, "malformed header");
    std::string_view name = line.substr(0, colon);
    for (unsigned char c : name) {
      if (!IsTokenChar(c)) return Error(400, "malformed header name");
    }
    std::string_view value = util::Trim(line.substr(colon + 1));
    for (unsigned char c : value) {
      if ((c < 0x20 && c != '\t') || c == 0x7F) return Error(400, "invalid header value");
    }
    if (++count > limits.max_headers) return Error(413, "too many headers");
    out.headers.emplace_back(util::ToLower(name), std::string(value));
  }

  // RFC 9112 §3.2: a client MUST send exactly one Host header in HTTP/1.1.
  if (out.minor_version == 1 && out.HeaderCount("host") != 1) {
    return Error(400, "exactly one Host header is required");
  }
  if (out.HeaderCount("transfer-encoding") > 0) {
    // RFC 9112 §6.1: both framing headers at once is how requests get smuggled.
    if (out.HeaderCount("content-length") > 0) {
      return Error(400, "both Transfer-Encoding and Content-Length");
    }
    return Error(501, "Transfer-Encoding is not supported; send Content-Length");
  }
  size_t content_length = 0;
  if (out.HeaderCount("content-length") > 0) {
    std::string_view first;
    for (const auto& [n, v] : out.headers) {
      if (n != "content-length") continue;
      if (first.empty()) {
        first = v;
      } else if (v != first) {
        return Error(400, "conflicting Content-Length");
      }
    }
    if (first.empty() || first.size() > 10) return Error(400, "malformed Content-Length");
    for (char c : first) {
      if (c < '0' || c > '9') return Error(400, "malformed Content-Length");
    }
    content_length = std::stoull(std::string(first));
  }
  if (body_start - start + content_length > limits.max_request_bytes) {
    return Error(413, "request too large");
  }
  auto connection = out.Header("connection");
  out.request_id.clear();
  ParseOutcome outcome;
  outcome.keep_alive = out.minor_version == 1 ? !(connection && HasToken(*connection, "close"))
                                              : (connection && HasToken(*connection, "keep-alive"));
  if (buffer.size() < body_start + content_length) {
    outcome.status = ParseStatus::kHeadersComplete;
    return outcome;
  }
  out.body = std::string(buffer.substr(body_start, content_length));
  outcome.status = ParseStatus::kComplete;
  outcome.consumed = body_start + content_length;
  return outcome;
}

}  // namespace oakgate::http
