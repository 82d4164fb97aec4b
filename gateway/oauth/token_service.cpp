#include "gateway/oauth/token_service.hpp"

#include <algorithm>

#include "gateway/observe/metrics.hpp"

namespace oakgate::oauth {
namespace {

bool Allows(const store::Client& client, std::string_view grant) {
  return std::find(client.grant_types.begin(), client.grant_types.end(), grant) !=
         client.grant_types.end();
}

// Label values come from fixed sets: the three grants (unknown ones are refused before) and
// the error table.
void Count(const TokenResult& result, std::string_view grant) {
  auto& m = observe::Metrics();
  if (result) {
    m.GetCounter("oakgate_tokens_issued_total", "Access tokens issued, by grant type",
                 {{"grant", std::string(grant)}})
        .Inc();
  } else {
    m.GetCounter("oakgate_token_errors_total", "Refused token requests, by OAuth error",
                 {{"error", std::string(ErrorString(result.error().code))}})
        .Inc();
  }
}

}  // namespace

TokenResult TokenService::Exchange(const TokenRequest& request, const Caller& caller) {
  TokenResult result = Dispatch(request, caller);
  Count(result, result ? *request.grant_type : "");
  return result;
}

TokenResult TokenService::Dispatch(const TokenRequest& request, const Caller& caller) {
  using util::Fail;
  if (!request.grant_type) {
    return Fail(MakeError(ErrorCode::kInvalidRequest, "grant_type is required"));
  }
  const std::string& grant = *request.grant_type;
  bool known =
      grant == "authorization_code" || grant == "refresh_token" || grant == "client_credentials";
  auto client = auth_.Authenticate(request.credentials, caller);
  if (!client) return Fail(client.error());
  if (!known) {
    return Fail(MakeError(ErrorCode::kUnsupportedGrantType, "unsupported grant_type"));
  }
  if (!Allows(client.value().client, grant)) {
    return Fail(MakeError(ErrorCode::kUnauthorizedClient,
                          "the client is not allowed to use this grant type"));
  }
  GrantContext ctx{db_, settings_, caller};
  if (grant == "authorization_code") return grants::AuthorizationCode(ctx, client.value(), request);
  if (grant == "refresh_token") return grants::RefreshToken(ctx, client.value(), request);
  return grants::ClientCredentials(ctx, client.value(), request);
}

}  // namespace oakgate::oauth
