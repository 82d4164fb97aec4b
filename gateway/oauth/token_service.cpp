#include "gateway/oauth/token_service.hpp"

#include <algorithm>
#include <memory>
#include <utility>

#include "gateway/oauth/grants/client_credentials.hpp"
#include "gateway/oauth/grants/issue.hpp"
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

TokenResult TokenService::IssueFor(const store::Client& client,
                                   const std::vector<std::string>& scopes, const IssueWrite& write,
                                   const OAuthError& refused) {
  grants::Minted minted =
      grants::Mint(Allows(client, "refresh_token"), scopes, settings_.access_token_ttl);
  auto issued = grants::CommitResolved(
      db_, minted, [&] { return write(minted.stored, settings_.refresh_token_ttl); });
  TokenResult result = issued ? TokenResult(grants::Respond(minted, *issued, scopes))
                              : TokenResult(util::Fail(refused));
  Count(result, "legacy_jwt");
  return result;
}

TokenResult TokenService::Exchange(const TokenRequest& request, const Caller& caller) {
  TokenResult result = Dispatch(request, caller);
  Count(result, result ? *request.grant_type : "");
  return result;
}

bool TokenService::ExchangeAsync(const TokenRequest& request, const Caller& caller,
                                 std::function<void(TokenResult)> done) {
  if (!writer_ || request.grant_type != "client_credentials" || !request.resources.empty()) {
    return false;
  }
  auto client = auth_.TryCached(request.credentials, caller);
  if (!client || !Allows(client->client, "client_credentials")) return false;
  GrantContext ctx{db_, settings_, caller};
  auto token = grants::PrepareClientCredentials(ctx, *client, request);
  if (!token) return false;  // refusals are the pool's, which answers and counts them
  auto t = std::make_shared<grants::ClientCredentialsToken>(std::move(token.value()));
  store::ClientCredentialsIssue write = std::move(t->write);
  return writer_->Submit(std::move(write),
                         [t, done = std::move(done)](std::optional<store::Issued> issued) {
                           TokenResult result = [&]() -> TokenResult {
                             if (issued) return grants::Respond(t->minted, *issued, t->scopes);
                             OAuthError e = MakeError(ErrorCode::kTemporarilyUnavailable,
                                                      "the service is temporarily unavailable");
                             e.retry_after = 2;
                             return util::Fail(std::move(e));
                           }();
                           Count(result, "client_credentials");
                           done(std::move(result));
                         });
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
