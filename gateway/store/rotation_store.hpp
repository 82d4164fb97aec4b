#pragma once
// The common refresh (RFC 6749 §6 with neither `scope` nor `resource`) for a batch of requests
// in one statement: the store of the rotations' group commit (oauth/token_writer.hpp).
#include <optional>
#include <string>
#include <vector>

#include "gateway/store/audit_event.hpp"
#include "gateway/store/token_store.hpp"

namespace oakgate::store {

// The presented refresh token and the tokens that replace it. Their scopes and resources are
// the family's.
struct RotationRequest {
  std::string presented_hash;  // SHA-256 of the refresh token presented
  std::string client_id;       // the authenticated client
  NewTokens tokens;            // the new access and refresh token hashes, the access token's TTL
  // oauth.token_refreshed: the store fills in the user, client, actor and subject from the
  // family; type, details_json, client_address and request_id come from here.
  AuditEvent audit;
};

// A rotation that committed: the new access token's family, lifetime, scopes and audience.
struct Rotated {
  Issued issued;
  std::vector<std::string> scopes;
  std::vector<std::string> audience;
};

class RotationStore {
 public:
  virtual ~RotationStore() = default;
  // For each request whose presented token belongs to its client, was never used nor revoked,
  // and whose family is live (not revoked, not expired, its user not disabled): locks the
  // family (first, as kFamilyTouch does), retires the token with a compare-and-set, issues
  // the new tokens as its children and records the audit event. One statement and one commit
  // for the whole batch. nullopt, with nothing written, for every other request: the grant
  // decides those on fresh data (unknown, another client's, retired: reuse or grace).
  virtual std::vector<std::optional<Rotated>> RotateBatch(
      const std::vector<RotationRequest>& batch) = 0;
  // After a commit in doubt: the rotation that stored each access token hash, nullopt for a
  // hash that is not stored.
  virtual std::vector<std::optional<Rotated>> FindRotated(
      const std::vector<std::string>& access_hashes) = 0;
};

}  // namespace oakgate::store
