#pragma once
// The one table of OAuth error codes: each code's RFC string and HTTP status. No other file
// spells "invalid_grant".
#include <cstdint>
#include <string>
#include <string_view>

namespace oakgate::oauth {

enum class ErrorCode {
  kInvalidRequest,           // RFC 6749 §5.2
  kInvalidClient,            // RFC 6749 §5.2 (always 401)
  kInvalidGrant,             // RFC 6749 §5.2
  kUnauthorizedClient,       // RFC 6749 §5.2
  kUnsupportedGrantType,     // RFC 6749 §5.2
  kInvalidScope,             // RFC 6749 §5.2
  kUnsupportedResponseType,  // RFC 6749 §4.1.2.1
  kAccessDenied,             // RFC 6749 §4.1.2.1
  kServerError,              // RFC 6749 §4.1.2.1
  kTemporarilyUnavailable,   // RFC 6749 §4.1.2.1
  kTooManyRequests,          // throttling (CONTRACT §4)
  kUnsupportedTokenType,     // RFC 7009 §2.2.1
  kInvalidTarget,            // RFC 8707 §2
  kInvalidRedirectUri,       // RFC 7591 §3.2.2
  kInvalidClientMetadata,    // RFC 7591 §3.2.2
  kInvalidToken,             // RFC 6750 §3.1 (the initial access token, RFC 7591 §3)
  kRegistrationDisabled,     // OAKGATE_REGISTRATION=off (RFC 7591 leaves it to the server)
};

std::string_view ErrorString(ErrorCode code);
int ErrorStatus(ErrorCode code);

// An error as a value: a client-facing description and a log-only detail.
struct OAuthError {
  ErrorCode code = ErrorCode::kInvalidRequest;
  std::string description;
  std::string detail;            // for logs only; never sent
  bool basic_challenge = false;  // answer with WWW-Authenticate: Basic (RFC 6749 §5.2)
  int64_t retry_after = 0;       // seconds, for too_many_requests
  std::string field;             // the one input field that is wrong, if any (CONTRACT §8)
  // The refusal revoked tokens (a reused code or refresh token): this instance's caches must
  // have dropped them before the answer goes out.
  bool revoked = false;
};

inline OAuthError MakeError(ErrorCode code, std::string description, std::string detail = "") {
  OAuthError e;
  e.code = code;
  e.description = std::move(description);
  e.detail = std::move(detail);
  return e;
}

}  // namespace oakgate::oauth
