#include "gateway/oauth/client_auth.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "gateway/crypto/compare.hpp"
#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/audit.hpp"
#include "gateway/oauth/basic_auth.hpp"

namespace oakgate::oauth {
namespace {

constexpr size_t kMaxClientId = 200;
constexpr size_t kMaxSecret = 512;

bool SecretMatches(const std::string& secret, const std::optional<std::string>& stored_hash) {
  if (!stored_hash || stored_hash->size() != 32) return false;
  return crypto::ConstantTimeEquals(crypto::ToBytes(crypto::Sha256(secret)), *stored_hash);
}

}  // namespace

OAuthError ClientAuthenticator::Failed(const std::string& client_id, bool basic,
                                       const Caller& caller, std::string detail) {
  db_.Throttle().RecordClientAuthFailure(client_id.substr(0, kMaxClientId), caller.client_address);
  RecordAudit(db_, caller,
              {"oauth.client_auth_failed", "", client_id.substr(0, kMaxClientId), "",
               nlohmann::json({{"reason", detail}}).dump()});
  OAuthError e = MakeError(ErrorCode::kInvalidClient, "client authentication failed", detail);
  e.basic_challenge = basic;
  return e;
}

util::Result<AuthenticatedClient, OAuthError> ClientAuthenticator::Authenticate(
    const ClientCredentials& in, const Caller& caller) {
  using util::Fail;
  if (in.authorization_count > 1) {
    return Fail(MakeError(ErrorCode::kInvalidRequest, "repeated Authorization header"));
  }
  bool basic = in.authorization && IsBasicScheme(*in.authorization);
  std::string client_id;
  std::optional<std::string> secret;
  ClientAuthMethod method = ClientAuthMethod::kNone;
  if (in.authorization) {
    auto parsed = ParseBasicAuth(*in.authorization);
    if (!parsed) {
      OAuthError e = MakeError(ErrorCode::kInvalidClient, "malformed client credentials",
                               basic ? "malformed Basic credentials" : "unsupported scheme");
      e.basic_challenge = true;
      return Fail(std::move(e));
    }
    // RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request.
    if (in.client_secret) {
      return Fail(MakeError(ErrorCode::kInvalidRequest,
                            "use either HTTP Basic or client_secret_post, not both"));
    }
    if (in.client_id && *in.client_id != parsed->client_id) {
      return Fail(
          MakeError(ErrorCode::kInvalidRequest, "client_id does not match the Basic credentials"));
    }
    client_id = std::move(parsed->client_id);
    secret = std::move(parsed->client_secret);
    method = ClientAuthMethod::kBasic;
  } else {
    if (!in.client_id) {
      return Fail(MakeError(ErrorCode::kInvalidClient, "client authentication is required"));
    }
    client_id = *in.client_id;
    if (in.client_secret) {
      secret = *in.client_secret;
      method = ClientAuthMethod::kPost;
    }
  }
  if (client_id.empty() || client_id.size() > kMaxClientId ||
      (secret && secret->size() > kMaxSecret)) {
    return Fail(Failed(client_id, basic, caller, "client id or secret out of bounds"));
  }

  // Refuse before checking anything once this client or address failed too often, so a
  // secret cannot be guessed at speed.
  auto counts = db_.Throttle().CountClientAuthFailures(client_id, caller.client_address,
                                                       limits_.window_seconds);
  if (counts.client >= limits_.per_client || counts.address >= limits_.per_address) {
    OAuthError e = MakeError(ErrorCode::kTooManyRequests,
                             "too many failed client authentications; try again later");
    int64_t retry = 0;
    if (counts.client >= limits_.per_client) retry = std::max(retry, counts.client_retry);
    if (counts.address >= limits_.per_address) retry = std::max(retry, counts.address_retry);
    e.retry_after = std::max<int64_t>(retry, 1);
    return Fail(std::move(e));
  }

  auto client = db_.Clients().Find(client_id);
  if (!client) return Fail(Failed(client_id, basic, caller, "unknown client"));
  if (!client->confidential) {
    // CONTRACT §1: a public client that sends a secret is invalid_client.
    if (secret) return Fail(Failed(client_id, basic, caller, "public client sent a secret"));
    return AuthenticatedClient{std::move(*client), ClientAuthMethod::kNone};
  }
  if (!secret) return Fail(Failed(client_id, basic, caller, "confidential client sent no secret"));
  bool ok = SecretMatches(*secret, client->secret_hash);
  // The previous secret works until its grace period ends (client rotate-secret --grace).
  if (!ok && client->previous_secret_expires_at &&
      *client->previous_secret_expires_at > clock_.NowSeconds()) {
    ok = SecretMatches(*secret, client->previous_secret_hash);
  }
  if (!ok) return Fail(Failed(client_id, basic, caller, "wrong secret"));
  return AuthenticatedClient{std::move(*client), method};
}

}  // namespace oakgate::oauth
