#pragma once
// Our own response type; serialized to HTTP/1.1 bytes by the server.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oakgate::http {

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  Response& Set(std::string name, std::string value);
  bool Has(std::string_view name) const;  // case-insensitive

  static Response Json(int status, std::string body);
  static Response Html(int status, std::string body);
  static Response Text(int status, std::string body);
  // 302/303 with Location.
  static Response Redirect(int status, std::string location);
  static Response Empty(int status);
};

std::string_view ReasonPhrase(int status);

// Serializes with Content-Length, Connection and the headers every response carries.
// `head` leaves out the body (HEAD requests) but keeps its Content-Length.
std::string Serialize(const Response& response, int minor_version, bool keep_alive, bool head);

}  // namespace oakgate::http
