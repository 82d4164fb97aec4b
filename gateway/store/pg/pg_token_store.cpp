#include <stdexcept>

#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_rotation_store.hpp"
#include "gateway/store/pg/pg_stores.hpp"
#include "gateway/util/json_writer.hpp"

namespace oakgate::store::pg {
namespace {

using util::JoinList;

// Inserts the access token (and the refresh token when one is asked for) into `family_id`.
int64_t InsertTokens(pqxx::work& tx, int64_t family_id, const NewTokens& tokens,
                     std::optional<int64_t> parent_id) {
  auto row = tx.exec_prepared1(sql::kAccessTokenCreate.name, Bytea(tokens.access_hash),
                               JoinList(tokens.access_scopes), tokens.access_ttl_seconds, family_id,
                               JoinList(tokens.audience));
  if (!tokens.refresh_hash.empty()) {
    tx.exec_prepared(sql::kRefreshTokenCreate.name, Bytea(tokens.refresh_hash), family_id,
                     parent_id);
  }
  return row[0].as<int64_t>();
}

// The event of an issue, last in its transaction (the chain's lock is held from it to COMMIT).
void WriteIssueAudit(pqxx::work& tx, const NewTokens& tokens, int64_t family_id) {
  if (tokens.audit.type.empty()) return;
  AuditEvent e = tokens.audit;
  e.subject = "family:" + std::to_string(family_id);
  WriteAudit(tx, e);
}

// A rotation: retires `retired_id` with `retire` (a compare-and-set) and inserts the new tokens
// as children of `old`, or writes nothing when the family or the compare-and-set is lost.
std::optional<Issued> RotateWith(PgDatabase& db, const RefreshTokenRecord& old,
                                 const sql::Statement& retire, int64_t retired_id,
                                 const NewTokens& tokens) {
  return TransactOrRollBack(db, [&](pqxx::work& tx) -> std::optional<Issued> {
    // Family first (see kFamilyTouch): expired, revoked or pruned since it was read means no
    // rotation; the grant reads the token again and answers for what it finds.
    if (tx.exec_prepared(sql::kFamilyTouch.name, old.family_id).empty()) return std::nullopt;
    if (tx.exec_prepared(retire.name, retired_id).empty()) return std::nullopt;
    Issued issued{old.family_id, InsertTokens(tx, old.family_id, tokens, old.id)};
    WriteIssueAudit(tx, tokens, old.family_id);
    return issued;
  });
}

// A row of kRefreshRotateBatch or kRotatedFind after its first column: family, expires_in,
// scopes, audience.
Rotated ReadRotated(const pqxx::row& row) {
  return Rotated{Issued{row[1].as<int64_t>(), row[2].as<int64_t>()}, ListField(row[3]),
                 ListField(row[4])};
}

}  // namespace

std::optional<AccessToken> PgTokenStore::FindActiveAccessToken(std::string_view token_hash) {
  return QueryOne(
      db_, sql::kAccessTokenFindActive,
      [](const pqxx::row& row) {
        AccessToken t;
        t.id = row["id"].as<int64_t>();
        t.family_id = row["family_id"].as<int64_t>();
        t.client_id = row["client_id"].as<std::string>();
        t.user_id = OptionalText(row["user_id"]);
        t.username = row["email"].as<std::string>("");
        t.scopes = ListField(row["scopes"]);
        t.audience = ListField(row["audience"]);
        t.issued_at = row["issued"].as<int64_t>();
        t.expires_at = row["expires"].as<int64_t>();
        return t;
      },
      Bytea(token_hash));
}

void PgTokenStore::CreateCode(const NewCode& c) {
  Transact(db_, [&](pqxx::work& tx) {
    tx.exec_prepared(sql::kCodeCreate.name, Bytea(c.code_hash), c.client_id, c.user_id,
                     c.redirect_uri, c.redirect_uri_given, JoinList(c.scopes), c.code_challenge,
                     c.ttl_seconds, JoinList(c.resources));
    tx.exec_prepared(sql::kClientMarkUsed.name, c.client_id);
    if (!c.audit.type.empty()) WriteAudit(tx, c.audit);
  });
}

std::optional<AuthorizationCode> PgTokenStore::FindCode(std::string_view code_hash) {
  return QueryOne(
      db_, sql::kCodeFind,
      [](const pqxx::row& row) {
        AuthorizationCode c;
        c.id = row["id"].as<int64_t>();
        c.client_id = row["client_id"].as<std::string>();
        c.user_id = row["user_id"].as<std::string>();
        c.redirect_uri = row["redirect_uri"].as<std::string>();
        c.redirect_uri_given = row["redirect_uri_given"].as<bool>();
        c.scopes = ListField(row["scopes"]);
        c.resources = ListField(row["resources"]);
        c.code_challenge = row["code_challenge"].as<std::string>();
        c.used = row["used"].as<bool>();
        c.expired = row["expired"].as<bool>();
        c.family_id = OptionalInt(row["family_id"]);
        c.user_disabled = row["user_disabled"].as<bool>();
        return c;
      },
      Bytea(code_hash));
}

std::optional<Issued> PgTokenStore::RedeemCode(const AuthorizationCode& code,
                                               int64_t family_ttl_seconds,
                                               int64_t family_idle_ttl_seconds,
                                               const NewTokens& tokens) {
  return TransactOrRollBack(db_, [&](pqxx::work& tx) -> std::optional<Issued> {
    auto fam = tx.exec_prepared1(sql::kFamilyCreate.name, code.client_id, code.user_id,
                                 JoinList(code.scopes), family_ttl_seconds,
                                 JoinList(code.resources), family_idle_ttl_seconds);
    int64_t family_id = fam[0].as<int64_t>();
    // RFC 6749 §4.1.2: single use. A lost compare-and-set rolls the family back.
    if (tx.exec_prepared(sql::kCodeRedeem.name, code.id, family_id).empty()) return std::nullopt;
    Issued issued{family_id, InsertTokens(tx, family_id, tokens, std::nullopt)};
    WriteIssueAudit(tx, tokens, family_id);
    return issued;
  });
}

std::optional<RefreshTokenRecord> PgTokenStore::FindRefreshToken(std::string_view token_hash) {
  return QueryOne(
      db_, sql::kRefreshTokenFind,
      [](const pqxx::row& row) {
        RefreshTokenRecord t;
        t.id = row["id"].as<int64_t>();
        t.family_id = row["family_id"].as<int64_t>();
        t.client_id = row["client_id"].as<std::string>();
        t.user_id = OptionalText(row["user_id"]);
        t.username = row["email"].as<std::string>("");
        t.family_scopes = ListField(row["scopes"]);
        t.family_resources = ListField(row["resources"]);
        t.family_created_at = row["family_created"].as<int64_t>();
        t.family_expires_at = row["family_expires"].as<int64_t>();
        t.retired = row["retired"].as<bool>();
        t.ms_since_retired = row["since_retired_ms"].as<int64_t>();
        t.revoked = row["revoked"].as<bool>();
        t.family_active = row["family_active"].as<bool>();
        t.unused_child_id = OptionalInt(row["child"]);
        return t;
      },
      Bytea(token_hash));
}

std::optional<Issued> PgTokenStore::Rotate(const RefreshTokenRecord& old, const NewTokens& tokens) {
  return RotateWith(db_, old, sql::kRefreshTokenRetire, old.id, tokens);
}

std::optional<Issued> PgTokenStore::RotateAgain(const RefreshTokenRecord& old, int64_t child_id,
                                                const NewTokens& tokens) {
  return RotateWith(db_, old, sql::kRefreshTokenRetireUnused, child_id, tokens);
}

std::vector<std::optional<Rotated>> PgRotationStore::RotateBatch(
    const std::vector<RotationRequest>& batch) {
  if (batch.empty()) return {};
  // As for client credentials: the batch is one json parameter, written by hand.
  std::string json = "[";
  for (size_t i = 0; i < batch.size(); ++i) {
    const RotationRequest& r = batch[i];
    if (i > 0) json += ',';
    util::JsonObject(json)
        .Add("i", static_cast<int64_t>(i))
        .Add("hash", util::HexLower(r.presented_hash))
        .Add("client_id", r.client_id)
        .Add("access", util::HexLower(r.tokens.access_hash))
        .Add("refresh", util::HexLower(r.tokens.refresh_hash))
        .Add("ttl", r.tokens.access_ttl_seconds)
        .Add("type", r.audit.type)
        .Add("address", r.audit.client_address)
        .Add("request_id", r.audit.request_id)
        .Add("details", r.audit.details_json)
        .Close();
  }
  json += ']';
  auto rows = WriteBatch(
      db_, sql::kRefreshRotateBatch,
      [](const pqxx::row& row) { return std::make_pair(row[0].as<size_t>(), ReadRotated(row)); },
      json);
  // Requests the statement left out (unknown, retired, another client's...) stay nullopt.
  std::vector<std::optional<Rotated>> out(batch.size());
  for (auto& [i, rotated] : rows) out.at(i) = std::move(rotated);
  return out;
}

std::vector<std::optional<Rotated>> PgRotationStore::FindRotated(
    const std::vector<std::string>& access_hashes) {
  std::vector<std::string> hex;
  for (const auto& h : access_hashes) hex.push_back(util::HexLower(h));
  auto rows = QueryAll(
      db_, sql::kRotatedFind,
      [](const pqxx::row& row) {
        return std::make_pair(row[0].as<std::string>(), ReadRotated(row));
      },
      JoinList(hex));
  std::vector<std::optional<Rotated>> out(access_hashes.size());
  for (const auto& [found, rotated] : rows) {
    for (size_t i = 0; i < hex.size(); ++i) {
      if (hex[i] == found) out[i] = rotated;
    }
  }
  return out;
}

std::vector<Issued> PgTokenStore::IssueClientCredentials(
    const std::vector<ClientCredentialsIssue>& batch) {
  if (batch.empty()) return {};
  // Written by hand (one batch per commit on the token writer). The strings are the
  // callers' (client ids, addresses, request ids): anything that is not UTF-8 is replaced
  // rather than failing the whole batch over it. details is JSON text, sent as a string.
  std::string json = "[";
  for (size_t i = 0; i < batch.size(); ++i) {
    const ClientCredentialsIssue& c = batch[i];
    if (i > 0) json += ',';
    util::JsonObject(json)
        .Add("i", static_cast<int64_t>(i))
        .Add("client_id", c.client_id)
        .Add("scopes", JoinList(c.tokens.access_scopes))
        .Add("ttl", c.tokens.access_ttl_seconds)
        .Add("audience", JoinList(c.tokens.audience))
        .Add("hash", util::HexLower(c.tokens.access_hash))
        .Add("type", c.audit.type)
        .Add("user_id", c.audit.user_id)
        .Add("audit_client", c.audit.client_id)
        .Add("actor", c.audit.actor)
        .Add("address", c.audit.client_address)
        .Add("request_id", c.audit.request_id)
        .Add("details", c.audit.details_json)
        .Close();
  }
  json += ']';
  auto rows = WriteBatch(
      db_, sql::kClientCredentialsIssue,
      [](const pqxx::row& row) {
        return std::make_pair(row[0].as<size_t>(),
                              Issued{row[1].as<int64_t>(), row[2].as<int64_t>()});
      },
      json);
  // The statement is all or none: a short answer is a bug, never a partial write.
  if (rows.size() != batch.size()) throw std::logic_error("client credentials batch short");
  std::vector<Issued> issued(batch.size());
  for (const auto& [i, one] : rows) issued.at(i) = one;
  return issued;
}

bool PgTokenStore::AccessTokenStored(std::string_view token_hash) {
  return QueryOne(
             db_, sql::kAccessTokenStored, [](const pqxx::row&) { return true; }, Bytea(token_hash))
      .has_value();
}

bool PgTokenStore::RevokeFamily(int64_t family_id, std::string_view reason,
                                const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kFamilyRevoke, family_id, std::string(reason)) ==
         WriteOutcome::kOk;
}

bool PgTokenStore::RevokeAccessToken(int64_t id, const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kAccessTokenRevoke, id) == WriteOutcome::kOk;
}

std::optional<TokenOwner> PgTokenStore::FindAccessTokenOwner(std::string_view token_hash) {
  return QueryOne(
      db_, sql::kAccessTokenOwner,
      [](const pqxx::row& row) {
        return TokenOwner{row[0].as<int64_t>(), row[1].as<int64_t>(), row[2].as<std::string>()};
      },
      Bytea(token_hash));
}

void PgConsentStore::Save(std::string_view user_id, std::string_view client_id,
                          const Consent& consent, const AuditEvent& audit) {
  AuditedChange(db_, audit, sql::kConsentSave, std::string(user_id), std::string(client_id),
                JoinList(consent.scopes), JoinList(consent.resources));
}

std::optional<Consent> PgConsentStore::Find(std::string_view user_id, std::string_view client_id) {
  return QueryOne(
      db_, sql::kConsentFind,
      [](const pqxx::row& row) {
        return Consent{ListField(row[0]), ListField(row[1])};
      },
      std::string(user_id), std::string(client_id));
}

// An event that records no change of its own (a refusal): a transaction of its own.
void PgAuditStore::Record(const AuditEvent& e) {
  Autocommit(db_, [&](pqxx::nontransaction& tx) { WriteAudit(tx, e); });
}

std::vector<AuditRecord> PgAuditStore::List(const AuditQuery& q) {
  auto text = [](const std::optional<int64_t>& v) -> std::optional<std::string> {
    if (!v) return std::nullopt;
    return std::to_string(*v);
  };
  auto from = text(q.from), to = text(q.to), before = text(q.before);
  return QueryAll(
      db_, q.org_id ? sql::kAuditListForOrg : sql::kAuditListAll,
      [](const pqxx::row& row) {
        AuditRecord a;
        a.id = row["id"].as<int64_t>();
        a.created_at = row["created"].as<int64_t>();
        a.event.type = row["type"].as<std::string>();
        a.event.user_id = row["user_id"].as<std::string>();
        a.event.org_id = row["org_id"].as<std::string>();
        a.event.client_id = row["client_id"].as<std::string>();
        a.event.actor = row["actor"].as<std::string>();
        a.event.subject = row["subject"].as<std::string>();
        a.event.client_address = row["client_address"].as<std::string>();
        a.event.request_id = row["request_id"].as<std::string>();
        a.event.details_json = row["details"].as<std::string>();
        return a;
      },
      q.org_id ? OrNull(q.org_id) : OrNull(q.user_id), OrNull(q.type), OrNull(from), OrNull(to),
      OrNull(before), q.limit);
}

std::vector<AuditLink> PgAuditStore::ChainAfter(int64_t after_id, int64_t limit) {
  return QueryAll(
      db_, sql::kAuditChainPage,
      [](const pqxx::row& row) {
        return AuditLink{row[0].as<int64_t>(), row[1].as<std::string>(), row[2].as<std::string>(),
                         row[3].as<std::string>()};
      },
      after_id, limit);
}

std::optional<AuditChainHead> PgAuditStore::ChainHead() {
  return QueryOne(db_, sql::kAuditChainHead, [](const pqxx::row& row) {
    return AuditChainHead{row[0].as<int64_t>(), row[1].as<std::string>()};
  });
}

std::vector<Grant> PgTokenStore::ListGrants(std::string_view user_id) {
  return QueryAll(
      db_, sql::kGrantList,
      [](const pqxx::row& row) {
        Grant g;
        g.family_id = row["id"].as<int64_t>();
        g.client_id = row["client_id"].as<std::string>();
        g.client_name = row["name"].as<std::string>();
        g.scopes = ListField(row["scopes"]);
        g.created_at = row["created"].as<int64_t>();
        g.last_used_at = row["last_used"].as<int64_t>();
        g.expires_at = row["expires"].as<int64_t>();
        return g;
      },
      std::string(user_id));
}

bool PgTokenStore::RevokeGrantForUser(std::string_view user_id, int64_t family_id,
                                      const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kGrantRevokeForUser, std::string(user_id), family_id,
                       "revoked by the user") == WriteOutcome::kOk;
}

}  // namespace oakgate::store::pg
