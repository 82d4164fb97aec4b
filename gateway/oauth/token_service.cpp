#include "gateway/oauth/token_service.hpp"

#include <algorithm>

namespace oakgate::oauth {
namespace {

bool Allows(const store::Client& client, std::string_view grant) {
  return std::find(client.grant_types.begin(), client.grant_types.end(), grant) !=
         client.grant_types.end();
}

}  // namespace

TokenResult TokenService::Exchange(const TokenRequest& request, const Caller& caller) {
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
