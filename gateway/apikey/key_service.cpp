#include "gateway/apikey/key_service.hpp"

#include <nlohmann/json.hpp>

#include "gateway/crypto/sha256.hpp"

namespace oakgate::apikey {

util::Result<IssuedKey, KeyServiceError> KeyService::Issue(const IssueRequest& req) {
  store::Agent agent;
  if (req.agent_id) {
    auto found = db_.Agents().Find(req.user_id, *req.agent_id);
    if (!found) return util::Fail(KeyServiceError::kAgentNotFound);
    agent = *found;
  } else {
    store::AuditEvent created = req.audit;
    created.type = "agent.created";
    created.details_json = nlohmann::json{{"name", req.agent_name}}.dump();
    agent = db_.Agents().FindOrCreateByName(req.user_id, req.agent_name, created);
  }
  GeneratedKey g = GenerateKey();
  store::NewApiKey row{g.key_id,   crypto::ToBytes(g.hash), req.user_id, agent.id, req.name,
                       req.scopes, req.expires_in};
  store::AuditEvent audit = req.audit;
  audit.type = "api_key.created";
  audit.subject = g.key_id;
  audit.details_json =
      nlohmann::json{{"agent_id", agent.id}, {"name", req.name}, {"scopes", req.scopes}}.dump();
  store::ApiKey key = db_.ApiKeys().Insert(row, audit);
  return IssuedKey{std::move(key), std::move(g.key), std::nullopt};
}

util::Result<IssuedKey, KeyServiceError> KeyService::Rotate(const std::string& user_id,
                                                            const std::string& key_id,
                                                            int64_t grace_seconds,
                                                            store::AuditEvent audit) {
  auto old = db_.ApiKeys().FindForUser(user_id, key_id);
  if (!old) return util::Fail(KeyServiceError::kKeyNotFound);
  if (old->revoked_at) return util::Fail(KeyServiceError::kKeyRevoked);
  std::optional<int64_t> lifetime;
  if (old->expires_at) lifetime = std::max<int64_t>(1, *old->expires_at - old->created_at);
  GeneratedKey g = GenerateKey();
  store::NewApiKey row{
      g.key_id, crypto::ToBytes(g.hash), user_id, old->agent_id, old->name, old->scopes, lifetime};
  audit.type = "api_key.rotated";
  audit.subject = key_id;
  audit.details_json =
      nlohmann::json{{"replacement", g.key_id}, {"grace_seconds", grace_seconds}}.dump();
  auto rotated = db_.ApiKeys().Rotate(user_id, key_id, row, grace_seconds, audit);
  if (!rotated) return util::Fail(KeyServiceError::kKeyRevoked);  // revoked meanwhile
  return IssuedKey{std::move(rotated->first), std::move(g.key), rotated->second};
}

bool KeyService::Revoke(const std::string& user_id, const std::string& key_id,
                        store::AuditEvent audit) {
  audit.type = "api_key.revoked";
  audit.subject = key_id;
  return db_.ApiKeys().Revoke(user_id, key_id, audit);
}

}  // namespace oakgate::apikey
