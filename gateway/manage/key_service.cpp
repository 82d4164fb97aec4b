#include "gateway/manage/key_service.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "gateway/manage/agent_service.hpp"
#include "gateway/manage/fields.hpp"
#include "gateway/policy/rules.hpp"

namespace oakgate::manage {
namespace {

constexpr const char* kNoKey = "no such API key";

std::optional<DomainError> Check(const Principal& who, const KeyInput& input) {
  if (!input.name) return Invalid("name", "name is required").error;
  bool may_be_unnamed = who.method == AuthMethod::kOperator;
  if ((input.name->empty() && !may_be_unnamed) || !IsPlainText(*input.name, 200)) {
    return Invalid("name", "name must be 1 to 200 characters of text").error;
  }
  if (input.agent_id && !IsUuid(*input.agent_id)) {
    return Invalid("agent_id", "agent_id must be an agent id").error;
  }
  if (!input.agent_id && !policy::IsValidName(input.agent_name)) {
    return Invalid("agent", "the agent's name must match [A-Za-z0-9._-]{1,200}").error;
  }
  for (const auto& s : input.scopes) {
    if (!policy::IsValidKeyScope(s)) {
      return Invalid("scopes", "each scope must be tool:scope (names or *), got \"" + s + "\"")
          .error;
    }
  }
  if (input.expires_in) {
    if (auto e = OutOfRange("expires_in", *input.expires_in, 1, kMaxKeyLifetime)) return e;
  }
  return std::nullopt;
}

constexpr const char* kNotYourAgent = "a member issues and revokes keys only of agents it created";

// CONTRACT §9: owners and admins manage every key of the organization; a member only the
// keys of agents it created.
std::optional<DomainError> MayManageKeysOf(const Principal& who, const store::Agent& agent) {
  if (who.CanManage() || (!agent.created_by.empty() && agent.created_by == who.user_id)) {
    return std::nullopt;
  }
  return Forbidden(kNotYourAgent).error;
}

std::optional<store::KeyReveal> Sealed(const std::optional<RevealSlot>& slot,
                                       const apikey::GeneratedKey& g) {
  if (!slot) return std::nullopt;
  return store::KeyReveal{slot->session_id, slot->seal(g.key_id, g.key.Reveal())};
}

}  // namespace

Outcome<IssuedKey> KeyService::Issue(const Principal& who, const KeyInput& input,
                                     const std::optional<RevealSlot>& reveal) {
  if (auto e = MissingScope(who, kKeysScope)) return util::Fail(*e);
  if (auto e = Check(who, input)) return util::Fail(*e);
  std::optional<store::Agent> agent;
  if (input.agent_id) {
    // Another organization's agent and one that does not exist look the same.
    agent = agents_.Find(who.org_id, *input.agent_id);
    if (!agent) return NotFound("no such agent");
  } else if (!who.CanManage()) {
    // A member creates no agent, not even the default one.
    agent = agents_.FindByName(who.org_id, input.agent_name);
    if (!agent) return Forbidden(kNotYourAgent);
  } else {
    agent = agents_.FindOrCreateByName(
        who.org_id, input.agent_name, who.user_id,
        who.Audit("agent.created", "", nlohmann::json{{"name", input.agent_name}}.dump()));
    if (!agent) return QuotaExceeded("the organization has as many agents as its plan allows");
  }
  if (auto e = MayManageKeysOf(who, *agent)) return util::Fail(*e);
  apikey::GeneratedKey g = apikey::GenerateKey();
  store::NewApiKey row{
      g.key_id,     crypto::ToBytes(g.hash), who.user_id,      who.org_id, agent->id, *input.name,
      input.scopes, input.expires_in,        Sealed(reveal, g)};
  store::AuditEvent audit = who.Audit(
      "api_key.created", g.key_id,
      nlohmann::json{{"agent_id", agent->id}, {"name", *input.name}, {"scopes", input.scopes}}
          .dump());
  store::ApiKey key = keys_.Insert(row, audit);
  return IssuedKey{std::move(key), std::move(g.key), std::nullopt};
}

std::optional<DomainError> KeyService::MayManageKeyOf(const Principal& who,
                                                      const store::ApiKey& key) {
  if (who.CanManage()) return std::nullopt;
  auto agent = agents_.Find(who.org_id, key.agent_id);
  if (!agent) return Forbidden(kNotYourAgent).error;
  return MayManageKeysOf(who, *agent);
}

Outcome<std::vector<store::ApiKey>> KeyService::List(const Principal& who) {
  if (auto e = MissingScope(who, kKeysScope)) return util::Fail(*e);
  return keys_.ListForOrg(who.org_id);
}

Outcome<store::ApiKey> KeyService::Get(const Principal& who, std::string_view key_id) {
  if (auto e = MissingScope(who, kKeysScope)) return util::Fail(*e);
  auto key = apikey::IsKeyId(key_id) ? keys_.FindInOrg(who.org_id, key_id) : std::nullopt;
  if (!key) return NotFound(kNoKey);
  return *key;
}

Outcome<IssuedKey> KeyService::Rotate(const Principal& who, std::string_view key_id,
                                      int64_t grace_seconds,
                                      const std::optional<RevealSlot>& reveal) {
  if (auto e = MissingScope(who, kKeysScope)) return util::Fail(*e);
  if (auto e = OutOfRange("grace_seconds", grace_seconds, 0, kMaxKeyGraceSeconds)) {
    return util::Fail(*e);
  }
  auto old = Get(who, key_id);
  if (!old) return util::Fail(old.error());
  if (auto e = MayManageKeyOf(who, old.value())) return util::Fail(*e);
  if (old.value().revoked_at) return Conflict("a revoked key cannot be rotated");
  const store::ApiKey& k = old.value();
  std::optional<int64_t> lifetime;
  if (k.expires_at) lifetime = std::max<int64_t>(1, *k.expires_at - k.created_at);
  apikey::GeneratedKey g = apikey::GenerateKey();
  store::NewApiKey row{
      g.key_id, crypto::ToBytes(g.hash), who.user_id, who.org_id, k.agent_id, k.name, k.scopes,
      lifetime, Sealed(reveal, g)};
  store::AuditEvent audit =
      who.Audit("api_key.rotated", std::string(key_id),
                nlohmann::json{{"replacement", g.key_id}, {"grace_seconds", grace_seconds}}.dump());
  auto rotated = keys_.Rotate(who.org_id, key_id, row, grace_seconds, audit);
  if (!rotated) return Conflict("a revoked key cannot be rotated");  // revoked meanwhile
  return IssuedKey{std::move(rotated->first), std::move(g.key), rotated->second};
}

Outcome<Done> KeyService::Revoke(const Principal& who, std::string_view key_id) {
  if (auto e = MissingScope(who, kKeysScope)) return util::Fail(*e);
  if (!who.CanManage()) {
    auto key = Get(who, key_id);
    if (!key) return util::Fail(key.error());
    if (auto e = MayManageKeyOf(who, key.value())) return util::Fail(*e);
  }
  if (!apikey::IsKeyId(key_id) ||
      !keys_.Revoke(who.org_id, key_id, who.Audit("api_key.revoked", std::string(key_id)))) {
    return NotFound(kNoKey);
  }
  return Done{};
}

}  // namespace oakgate::manage
