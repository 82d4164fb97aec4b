#include "gateway/legacy/bridge.hpp"

#include <nlohmann/json.hpp>

#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/audit.hpp"
#include "gateway/oauth/scope.hpp"
#include "gateway/observe/log.hpp"

namespace oakgate::legacy {

using oauth::ErrorCode;
using oauth::MakeError;
using util::Fail;

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kActive:
      return "active";
    case Outcome::kInactive:
      return "inactive";
    case Outcome::kIssued:
      return "issued";
    case Outcome::kRefused:
      return "refused";
    case Outcome::kReplayed:
      return "replayed";
    case Outcome::kClientError:
      return "client_error";
  }
  return "client_error";
}

util::Result<LegacyBridge::Checked, std::string> LegacyBridge::Check(const std::string& token) {
  auto jwt = VerifyJwt(token, keys_, settings_.policy, clock_.NowSeconds());
  if (!jwt) return Fail(std::string(FailureName(jwt.error())));
  auto user = store_.FindUser(jwt.value().user);
  if (!user) return Fail(std::string("unknown_user"));
  if (user->disabled) return Fail(std::string("disabled_user"));
  return Checked{std::move(jwt.value()), std::move(*user)};
}

util::Result<oauth::Introspection, oauth::OAuthError> LegacyBridge::Introspect(
    const IntrospectRequest& request, const oauth::Caller& caller, Outcome* outcome) {
  *outcome = Outcome::kClientError;
  auto client = auth_.Authenticate(request.credentials, caller);
  if (!client) return Fail(client.error());
  if (!client.value().client.confidential) {
    oauth::OAuthError e =
        MakeError(ErrorCode::kInvalidClient, "introspection needs a confidential client");
    e.basic_challenge = true;
    return Fail(std::move(e));
  }
  if (!client.value().client.can_introspect) {
    return Fail(
        MakeError(ErrorCode::kUnauthorizedClient, "this client may not call introspection"));
  }
  if (!request.token) return Fail(MakeError(ErrorCode::kInvalidRequest, "token is required"));
  oauth::Introspection out;
  auto checked = Check(*request.token);
  if (!checked) {
    *outcome = Outcome::kInactive;
    observe::Info("legacy jwt inactive",
                  {{"request_id", caller.request_id}, {"reason", checked.error()}});
    return out;  // RFC 7662 §2.2: the same answer for every inactive token
  }
  const Checked& c = checked.value();
  *outcome = Outcome::kActive;
  out.active = true;
  out.token_type = "legacy_jwt";
  out.sub = c.user.id;
  out.exp = c.jwt.exp;
  out.iat = c.jwt.iat;
  out.iss = c.jwt.iss;
  out.extra["email"] = c.user.email;
  return out;
}

oauth::TokenResult LegacyBridge::Exchange(const ExchangeRequest& request,
                                          const oauth::Caller& caller, Outcome* outcome) {
  *outcome = Outcome::kClientError;
  if (!request.token) return Fail(MakeError(ErrorCode::kInvalidRequest, "token is required"));
  auto checked = Check(*request.token);
  if (!checked) {
    *outcome = Outcome::kRefused;
    return Fail(MakeError(ErrorCode::kInvalidGrant,
                          "the token is invalid, expired, or its user is not active",
                          checked.error()));
  }
  const Checked& c = checked.value();
  auto client = db_.Clients().Find(settings_.exchange_client);
  if (!client) {
    observe::Error("legacy_exchange_client does not exist",
                   {{"client_id", settings_.exchange_client}, {"request_id", caller.request_id}});
    return Fail(MakeError(ErrorCode::kServerError, "the exchange is not set up"));
  }
  // RFC 8693 §2.1: an omitted scope means what the client may have.
  std::vector<std::string> scopes = client->scopes;
  if (request.scope) {
    auto asked = oauth::ParseScope(*request.scope);
    if (!asked || !oauth::IsSubset(*asked, client->scopes)) {
      return Fail(MakeError(ErrorCode::kInvalidScope, "scope exceeds the client's registration"));
    }
    if (!asked->empty()) scopes = *asked;
  }
  // By jti when the token has one (RFC 7519 §4.1.7), else by the token itself.
  store::LegacyExchange write;
  write.replay_key =
      crypto::ToBytes(crypto::Sha256(c.jwt.jti ? "jti:" + *c.jwt.jti : "jwt:" + *request.token));
  // Refused as expired from then on, so the record is not needed after it.
  write.replay_expires_at = c.jwt.exp + kLeewaySeconds;
  write.client_id = client->id;
  write.user_id = c.user.id;
  write.scopes = scopes;
  nlohmann::json details = {{"replay_key", c.jwt.jti ? "jti" : "token_sha256"},
                            {"scope", oauth::JoinScope(scopes)}};
  if (c.jwt.iss) details["iss"] = *c.jwt.iss;
  write.audit = oauth::AuditEventOf(
      caller, {"legacy.jwt_exchanged", c.user.id, client->id, "", details.dump()});
  oauth::OAuthError replay =
      MakeError(ErrorCode::kInvalidGrant, "the token was exchanged before", "replay");
  auto result = tokens_.IssueFor(
      *client, scopes,
      [&](const store::NewTokens& tokens, int64_t family_ttl, int64_t family_idle_ttl) {
        write.tokens = tokens;
        write.family_ttl_seconds = family_ttl;
        write.family_idle_ttl_seconds = family_idle_ttl;
        return store_.Exchange(write);
      },
      replay);
  if (!result) {
    *outcome = Outcome::kReplayed;
    oauth::RecordAudit(
        db_, caller,
        {"legacy.jwt_replay_refused", c.user.id, client->id, "",
         nlohmann::json({{"replay_key", c.jwt.jti ? "jti" : "token_sha256"}}).dump()});
    return result;
  }
  *outcome = Outcome::kIssued;
  return result;
}

}  // namespace oakgate::legacy
