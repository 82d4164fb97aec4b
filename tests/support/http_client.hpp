#pragma once
// A small HTTP/1.1 client over raw sockets, so tests control every byte: no Connection header
// unless asked, pipelining, malformed requests, and the client's source address.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace oakgate::test {

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::optional<std::string> Header(const std::string& lower_name) const;
  std::vector<std::string> Headers(const std::string& lower_name) const;
  // name -> value of every Set-Cookie.
  std::map<std::string, std::string> SetCookies() const;
};

class HttpConnection {
 public:
  // Connects to 127.0.0.1:port, from source_address when given (any 127.0.0.0/8 address).
  explicit HttpConnection(int port, const std::string& source_address = "");
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // True once a read met the server's FIN or a reset: nothing more will come.
  bool closed() const { return eof_; }
  void SendRaw(const std::string& bytes);
  // Reads one response; nullopt when the server closed the connection or time ran out.
  std::optional<HttpResponse> Read(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // True when the server closes the connection (EOF) within the timeout.
  bool WaitClosed(std::chrono::milliseconds timeout);
  std::optional<HttpResponse> Request(
      const std::string& method, const std::string& target,
      const std::vector<std::pair<std::string, std::string>>& headers = {},
      const std::string& body = "");

 private:
  int fd_ = -1;
  bool eof_ = false;
  std::string buffer_;
};

// One request on a new connection.
HttpResponse Fetch(int port, const std::string& method, const std::string& target,
                   const std::vector<std::pair<std::string, std::string>>& headers = {},
                   const std::string& body = "", const std::string& source_address = "");
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);
std::string UrlEncode(const std::string& s);

}  // namespace oakgate::test
