#pragma once
// CSRF tokens: HMAC-SHA256 under OAKGATE_SECRET of a purpose and a binding (the value of a
// cookie the attacker cannot read). Tokens made with OAKGATE_SECRET_PREVIOUS are still
// accepted during a rotation.
#include <string>
#include <string_view>

namespace oakgate::session {

class Csrf {
 public:
  Csrf(std::string secret, std::string previous_secret);
  std::string Token(std::string_view purpose, std::string_view binding) const;
  bool Check(std::string_view purpose, std::string_view binding, std::string_view token) const;

 private:
  std::string secret_;
  std::string previous_;
};

}  // namespace oakgate::session
