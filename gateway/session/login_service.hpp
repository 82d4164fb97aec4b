#pragma once
// Browser login (CONTRACT §3): password check, throttling keyed so nobody can lock another
// person out, and a brand-new session on success.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/session/password.hpp"
#include "gateway/store/database.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::session {

struct LoginLimits {
  int64_t window_seconds = 900;  // 15 minutes
  int64_t per_pair = 5;          // one account from one address
  int64_t per_address = 50;      // any account from one address
  int64_t per_account = 100;     // one account from every address
};

struct ThrottleVerdict {
  bool allowed = true;
  int64_t retry_after = 0;
};

// Pure: whether another attempt may be made, and if not, for how long to wait.
ThrottleVerdict DecideThrottle(const store::LoginFailureCounts& counts, const LoginLimits& limits);

// Lower-cased and trimmed; the key for lookups and throttling.
std::string NormalizeEmail(std::string_view email);

struct SessionSettings {
  int64_t ttl_seconds = 43200;
  int64_t idle_ttl_seconds = 1800;
};

struct LoginRequest {
  std::string email;
  std::string password;
  std::string client_address;
  std::string user_agent;
  std::string request_id;                       // for the audit events
  std::optional<std::string> previous_session;  // the cookie the browser sent, if any
};

struct LoginSuccess {
  std::string session_token;  // the cookie value: 256 random bits, stored only as SHA-256
  std::string user_id;
};

enum class LoginErrorKind { kInvalidCredentials, kThrottled };
struct LoginError {
  LoginErrorKind kind;
  int64_t retry_after = 0;
};

class LoginService {
 public:
  LoginService(store::Database& db, PasswordHasher& hasher, SessionSettings settings,
               LoginLimits limits = {});
  util::Result<LoginSuccess, LoginError> Login(const LoginRequest& request);

 private:
  store::Database& db_;
  PasswordHasher& hasher_;
  SessionSettings settings_;
  LoginLimits limits_;
};

}  // namespace oakgate::session
