#pragma once
// Opaque OAuth tokens and authorization codes, stored only by their SHA-256 (32 raw bytes in
// every *_hash argument). Every lookup is one index probe by hash or primary key.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/audit_event.hpp"
#include "gateway/store/rows.hpp"

namespace oakgate::store {

struct AccessToken {
  int64_t id = 0;
  int64_t family_id = 0;
  std::string client_id;
  std::optional<std::string> user_id;  // absent for client credentials
  std::string username;                // the user's email, "" without a user
  std::vector<std::string> scopes;
  std::vector<std::string> audience;  // RFC 8707 resources it is bound to; empty: none
  int64_t issued_at = 0;
  int64_t expires_at = 0;
};

// A refresh token with its family, whatever its state (the grant decides what it means).
struct RefreshTokenRecord {
  int64_t id = 0;
  int64_t family_id = 0;
  std::string client_id;
  std::optional<std::string> user_id;
  std::string username;
  std::vector<std::string> family_scopes;
  std::vector<std::string> family_resources;  // what the grant was for (RFC 8707)
  int64_t family_created_at = 0;
  // When the family ends unless rotated first: its absolute expiry or, sooner, the end of its
  // idle limit (never later than the absolute expiry).
  int64_t family_expires_at = 0;
  bool retired = false;  // used_at set: it was rotated
  int64_t ms_since_retired = 0;
  bool revoked = false;  // the token itself
  // Family not revoked, not expired, not idle past its limit, user not disabled.
  bool family_active = false;
  std::optional<int64_t> unused_child_id;  // the newest child never used nor revoked
};

struct AuthorizationCode {
  int64_t id = 0;
  std::string client_id;
  std::string user_id;
  std::string redirect_uri;
  bool redirect_uri_given = true;
  std::vector<std::string> scopes;
  std::vector<std::string> resources;
  std::string code_challenge;
  bool used = false;
  bool expired = false;
  std::optional<int64_t> family_id;
  bool user_disabled = false;
};

struct NewCode {
  std::string code_hash;
  std::string client_id;
  std::string user_id;
  std::string redirect_uri;
  bool redirect_uri_given = true;
  std::vector<std::string> scopes;
  std::vector<std::string> resources;
  std::string code_challenge;
  int64_t ttl_seconds = 60;
  // Written with the code, in its transaction (none when its type is empty).
  AuditEvent audit;
};

// The hashes of the tokens one grant issues (refresh empty when none), so a commit whose
// outcome is unknown can be resolved by looking them up.
struct NewTokens {
  std::string access_hash;
  std::string refresh_hash;  // "" for no refresh token
  std::vector<std::string> access_scopes;
  std::vector<std::string> audience;  // of the access token
  int64_t access_ttl_seconds = 3600;
  // The event of this issue, written last in the transaction of RedeemCode, Rotate and
  // RotateAgain, its subject set to the family ("family:<id>"); none when its type is empty.
  // (The batches carry theirs beside: ClientCredentialsIssue, RotationRequest.)
  AuditEvent audit;
};

struct Issued {
  int64_t family_id = 0;
  int64_t expires_in = 0;  // of the access token
};

// One client_credentials token to store, with its audit event.
struct ClientCredentialsIssue {
  std::string client_id;
  NewTokens tokens;
  AuditEvent audit;
};

// A token as seen by revocation: whose it is, in any state.
struct TokenOwner {
  int64_t id = 0;
  int64_t family_id = 0;
  std::string client_id;
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;
  // The access token with this hash when it is unexpired, not revoked, its family not
  // revoked and its user (if any) not disabled; nullopt otherwise.
  virtual std::optional<AccessToken> FindActiveAccessToken(std::string_view token_hash) = 0;

  virtual void CreateCode(const NewCode& code) = 0;
  virtual std::optional<AuthorizationCode> FindCode(std::string_view code_hash) = 0;
  // In one transaction: starts a family (absolute expiry family_ttl_seconds, inactive once
  // unused for family_idle_ttl_seconds unless that is 0, the code's scopes and resources),
  // marks the code used with one compare-and-set (used_at IS NULL AND unexpired) and issues
  // the tokens. nullopt, with nothing written, when the compare-and-set found the code used or
  // expired.
  virtual std::optional<Issued> RedeemCode(const AuthorizationCode& code,
                                           int64_t family_ttl_seconds,
                                           int64_t family_idle_ttl_seconds,
                                           const NewTokens& tokens) = 0;

  virtual std::optional<RefreshTokenRecord> FindRefreshToken(std::string_view token_hash) = 0;
  // Retires refresh token `old_id` (compare-and-set on used_at IS NULL) and issues the new
  // tokens as its children, in one transaction. nullopt, with nothing written, when it was
  // already retired or revoked, or its family is no longer live (expired, revoked, pruned).
  virtual std::optional<Issued> Rotate(const RefreshTokenRecord& old, const NewTokens& tokens) = 0;
  // Refresh grace: retires the unused child `child_id` (compare-and-set) and issues new tokens
  // as further children of `old`, in one transaction; nullopt when the child was used meanwhile
  // or the family is no longer live.
  virtual std::optional<Issued> RotateAgain(const RefreshTokenRecord& old, int64_t child_id,
                                            const NewTokens& tokens) = 0;

  // For each: a family without a user or refresh token (client credentials) and its access
  // token, with `audit` (its subject set to "family:<id>"). The whole batch commits at once or
  // not at all: one commit for many tokens. The Issued of each, in the batch's order.
  virtual std::vector<Issued> IssueClientCredentials(
      const std::vector<ClientCredentialsIssue>& batch) = 0;

  // true when an access token with this hash was stored (any state): resolves commits in doubt.
  virtual bool AccessTokenStored(std::string_view token_hash) = 0;

  // Revokes the family and so every token in it; false when it was revoked already.
  // Each writes `audit` in its transaction when it revoked something.
  virtual bool RevokeFamily(int64_t family_id, std::string_view reason,
                            const AuditEvent& audit) = 0;
  virtual bool RevokeAccessToken(int64_t id, const AuditEvent& audit) = 0;
  virtual std::optional<TokenOwner> FindAccessTokenOwner(std::string_view token_hash) = 0;

  // The user's live grants (families neither revoked nor expired), newest first.
  virtual std::vector<Grant> ListGrants(std::string_view user_id) = 0;
  // Revokes the user's family; false when it is not theirs or already revoked.
  virtual bool RevokeGrantForUser(std::string_view user_id, int64_t family_id,
                                  const AuditEvent& audit) = 0;
};

}  // namespace oakgate::store
