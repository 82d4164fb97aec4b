#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace oakgate::test {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// When OAKGATE_TEST_HTTP_RECORD names a file, every request made with Request() and its
// response are appended to it as one JSON line, for tests/openapi/validate_traffic.mjs to check
// against docs/openapi.yaml once every e2e suite is done (ctest sets the variable). Suites run
// in parallel: each line is one write(2) under an exclusive lock on an O_APPEND descriptor.
void Record(const std::string& method, const std::string& target,
            const std::vector<std::pair<std::string, std::string>>& request_headers,
            const HttpResponse& response) {
  static const char* file = std::getenv("OAKGATE_TEST_HTTP_RECORD");
  if (file == nullptr || *file == '\0') return;
  nlohmann::json line = {{"method", method}, {"target", target}, {"status", response.status}};
  for (const auto& [n, v] : request_headers) {
    if (Lower(n) == "content-type") line["request_content_type"] = v;
  }
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [n, v] : response.headers) headers[n] = v;  // names already lower-cased
  line["headers"] = headers;
  // HTML pages are not part of the API document: their bodies would only make the file large.
  auto type = response.Header("content-type");
  bool html = type && type->rfind("text/html", 0) == 0;
  line["body"] = html ? std::string() : response.body;
  if (html) line["body_omitted"] = true;
  if (const auto* test = ::testing::UnitTest::GetInstance()->current_test_info()) {
    line["test"] = std::string(test->test_suite_name()) + "." + test->name();
  }
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  int fd = ::open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ::flock(fd, LOCK_EX);
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  ::flock(fd, LOCK_UN);
  ::close(fd);
}

}  // namespace

std::optional<std::string> HttpResponse::Header(const std::string& name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::vector<std::string> HttpResponse::Headers(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : headers) {
    if (n == name) out.push_back(v);
  }
  return out;
}

std::map<std::string, std::string> HttpResponse::SetCookies() const {
  std::map<std::string, std::string> out;
  for (const auto& v : Headers("set-cookie")) {
    size_t eq = v.find('=');
    size_t semi = v.find(';');
    if (eq == std::string::npos) continue;
    out[v.substr(0, eq)] = v.substr(eq + 1, semi == std::string::npos ? semi : semi - eq - 1);
  }
  return out;
}

HttpConnection::HttpConnection(int port, const std::string& source_address) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (!source_address.empty()) {
    sockaddr_in src{};
    src.sin_family = AF_INET;
    ::inet_pton(AF_INET, source_address.c_str(), &src.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof(src)) != 0) {
      throw std::runtime_error("bind to source address failed");
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void HttpConnection::SendRaw(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

std::optional<HttpResponse> HttpConnection::Read(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    size_t head_end = buffer_.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      HttpResponse r;
      std::string head = buffer_.substr(0, head_end);
      size_t line_end = head.find("\r\n");
      std::string status_line = head.substr(0, line_end);
      r.status = std::atoi(status_line.substr(9, 3).c_str());
      size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
      size_t content_length = 0;
      while (pos < head.size()) {
        size_t eol = head.find("\r\n", pos);
        if (eol == std::string::npos) eol = head.size();
        std::string line = head.substr(pos, eol - pos);
        size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = Lower(line.substr(0, colon));
          std::string value = line.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.erase(0, 1);
          if (name == "content-length") content_length = std::stoul(value);
          r.headers.emplace_back(name, value);
        }
        pos = eol + 2;
      }
      if (buffer_.size() >= head_end + 4 + content_length) {
        r.body = buffer_.substr(head_end + 4, content_length);
        buffer_.erase(0, head_end + 4 + content_length);
        return r;
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || fd_ < 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char buf[16384];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      eof_ = true;
      return std::nullopt;
    }
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

bool HttpConnection::WaitClosed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      eof_ = true;
      return true;
    }
  }
}

std::optional<HttpResponse> HttpConnection::Request(
    const std::string& method, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  bool has_length = false;
  for (const auto& [n, v] : headers) {
    req += n + ": " + v + "\r\n";
    if (Lower(n) == "content-length") has_length = true;
  }
  if (!body.empty() && !has_length)
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  SendRaw(req);
  auto response = Read();
  if (response) Record(method, target, headers, *response);
  return response;
}

HttpResponse Fetch(int port, const std::string& method, const std::string& target,
                   const std::vector<std::pair<std::string, std::string>>& headers,
                   const std::string& body, const std::string& source_address) {
  HttpConnection conn(port, source_address);
  if (!conn.connected()) throw std::runtime_error("cannot connect to the gateway");
  auto r = conn.Request(method, target, headers, body);
  if (!r) throw std::runtime_error("no response to " + method + " " + target);
  return *r;
}

std::string UrlEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [n, v] : fields) {
    if (!out.empty()) out += '&';
    out += UrlEncode(n) + "=" + UrlEncode(v);
  }
  return out;
}

}  // namespace oakgate::test
