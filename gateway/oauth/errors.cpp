#include "gateway/oauth/errors.hpp"

namespace oakgate::oauth {
namespace {

struct Entry {
  ErrorCode code;
  std::string_view name;
  int status;
};

constexpr Entry kTable[] = {
    {ErrorCode::kInvalidRequest, "invalid_request", 400},
    {ErrorCode::kInvalidClient, "invalid_client", 401},
    {ErrorCode::kInvalidGrant, "invalid_grant", 400},
    {ErrorCode::kUnauthorizedClient, "unauthorized_client", 400},
    {ErrorCode::kUnsupportedGrantType, "unsupported_grant_type", 400},
    {ErrorCode::kInvalidScope, "invalid_scope", 400},
    {ErrorCode::kUnsupportedResponseType, "unsupported_response_type", 400},
    {ErrorCode::kAccessDenied, "access_denied", 403},
    {ErrorCode::kServerError, "server_error", 500},
    {ErrorCode::kTemporarilyUnavailable, "temporarily_unavailable", 503},
    {ErrorCode::kTooManyRequests, "too_many_requests", 429},
    {ErrorCode::kUnsupportedTokenType, "unsupported_token_type", 400},
    {ErrorCode::kInvalidTarget, "invalid_target", 400},
    {ErrorCode::kInvalidRedirectUri, "invalid_redirect_uri", 400},
    {ErrorCode::kInvalidClientMetadata, "invalid_client_metadata", 400},
    {ErrorCode::kInvalidToken, "invalid_token", 401},
    {ErrorCode::kRegistrationDisabled, "access_denied", 403},
};

const Entry& Find(ErrorCode code) {
  for (const auto& e : kTable) {
    if (e.code == code) return e;
  }
  return kTable[0];
}

}  // namespace

std::string_view ErrorString(ErrorCode code) { return Find(code).name; }
int ErrorStatus(ErrorCode code) { return Find(code).status; }

}  // namespace oakgate::oauth
