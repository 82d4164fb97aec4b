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

struct Presented {
  std::string client_id;
  std::optional<std::string> secret;
  ClientAuthMethod method = ClientAuthMethod::kNone;
  bool basic = false;
};

// The credentials a request presents, or the error for ambiguous or malformed ones.
util::Result<Presented, OAuthError> ReadCredentials(const ClientCredentials& in) {
  using util::Fail;
  if (in.authorization_count > 1) {
    return Fail(MakeError(ErrorCode::kInvalidRequest, "repeated Authorization header"));
  }
  Presented p;
  p.basic = in.authorization && IsBasicScheme(*in.authorization);
  if (in.authorization) {
    auto parsed = ParseBasicAuth(*in.authorization);
    if (!parsed) {
      OAuthError e = MakeError(ErrorCode::kInvalidClient, "malformed client credentials",
                               p.basic ? "malformed Basic credentials" : "unsupported scheme");
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
    p.client_id = std::move(parsed->client_id);
    p.secret = std::move(parsed->client_secret);
    p.method = ClientAuthMethod::kBasic;
  } else {
    if (!in.client_id) {
      return Fail(MakeError(ErrorCode::kInvalidClient, "client authentication is required"));
    }
    p.client_id = *in.client_id;
    if (in.client_secret) {
      p.secret = *in.client_secret;
      p.method = ClientAuthMethod::kPost;
    }
  }
  return p;
}

}  // namespace

std::optional<AuthenticatedClient> ClientAuthenticator::TryCached(const ClientCredentials& in,
                                                                  const Caller& caller) {
  if (!cache_) return std::nullopt;
  auto p = ReadCredentials(in);
  if (!p || !p.value().secret || p.value().client_id.size() > kMaxClientId ||
      p.value().secret->size() > kMaxSecret) {
    return std::nullopt;
  }
  auto client = cache_->Find(p.value().client_id, caller.client_address);
  if (!client || !client->confidential) return std::nullopt;
  bool ok = SecretMatches(*p.value().secret, client->secret_hash);
  if (!ok && client->previous_secret_expires_at &&
      *client->previous_secret_expires_at > clock_.NowSeconds()) {
    ok = SecretMatches(*p.value().secret, client->previous_secret_hash);
  }
  if (!ok) return std::nullopt;
  return AuthenticatedClient{std::move(*client), p.value().method};
}

OAuthError ClientAuthenticator::Failed(const std::string& client_id, bool basic,
                                       const Caller& caller, std::string detail, bool recorded) {
  if (cache_) cache_->MarkSuspect(client_id.substr(0, kMaxClientId), caller.client_address);
  if (!recorded) {
    db_.Throttle().RecordClientAuthFailure(client_id.substr(0, kMaxClientId),
                                           caller.client_address);
  }
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
  // A confidential client seen before, with the right secret and no recent failure, needs no
  // database round trip (client_cache.hpp); anything else takes the full path below.
  if (auto cached = TryCached(in, caller)) return std::move(*cached);
  auto presented = ReadCredentials(in);
  if (!presented) return Fail(presented.error());
  auto& [client_id, secret, method, basic] = presented.value();
  if (client_id.empty() || client_id.size() > kMaxClientId ||
      (secret && secret->size() > kMaxSecret)) {
    return Fail(Failed(client_id, basic, caller, "client id or secret out of bounds"));
  }

  // Refuse before checking anything once this client or address failed too often, so a
  // secret cannot be guessed at speed. A presented secret is a guess: it is decided and
  // counted as a failure under the throttle's lock before it is checked, so concurrent
  // guesses see each other and no more than the limit are ever checked (G3); a right one is
  // forgotten again. Without a secret nothing is guessed, and a public client's requests keep
  // their one read.
  std::optional<int64_t> retry_after;
  auto admit = [&](const store::ClientAuthFailureCounts& counts) {
    if (counts.client < limits_.per_client && counts.address < limits_.per_address) return true;
    int64_t retry = 0;
    if (counts.client >= limits_.per_client) retry = std::max(retry, counts.client_retry);
    if (counts.address >= limits_.per_address) retry = std::max(retry, counts.address_retry);
    retry_after = std::max<int64_t>(retry, 1);
    return false;
  };
  std::optional<int64_t> attempt;
  if (secret) {
    attempt = db_.Throttle().TryClientAuthAttempt(client_id, caller.client_address,
                                                  limits_.window_seconds, admit);
  } else {
    admit(db_.Throttle().CountClientAuthFailures(client_id, caller.client_address,
                                                 limits_.window_seconds));
  }
  if (retry_after) {
    OAuthError e = MakeError(ErrorCode::kTooManyRequests,
                             "too many failed client authentications; try again later");
    e.retry_after = *retry_after;
    if (cache_) cache_->MarkSuspect(client_id, caller.client_address);
    return Fail(std::move(e));
  }
  const bool recorded = attempt.has_value();

  std::optional<ClientCache::Fill> fill;
  if (cache_) fill.emplace(cache_->BeginFill());
  auto client = db_.Clients().Find(client_id);
  if (!client) return Fail(Failed(client_id, basic, caller, "unknown client", recorded));
  if (!client->confidential) {
    // CONTRACT §1: a public client that sends a secret is invalid_client.
    if (secret) {
      return Fail(Failed(client_id, basic, caller, "public client sent a secret", recorded));
    }
    return AuthenticatedClient{std::move(*client), ClientAuthMethod::kNone};
  }
  if (!secret) return Fail(Failed(client_id, basic, caller, "confidential client sent no secret"));
  bool ok = SecretMatches(*secret, client->secret_hash);
  // The previous secret works until its grace period ends (client rotate-secret --grace).
  if (!ok && client->previous_secret_expires_at &&
      *client->previous_secret_expires_at > clock_.NowSeconds()) {
    ok = SecretMatches(*secret, client->previous_secret_hash);
  }
  if (!ok) return Fail(Failed(client_id, basic, caller, "wrong secret", recorded));
  if (attempt) db_.Throttle().ForgetClientAuthAttempt(*attempt);
  if (fill) fill->Keep(*client);
  return AuthenticatedClient{std::move(*client), method};
}

}  // namespace oakgate::oauth
