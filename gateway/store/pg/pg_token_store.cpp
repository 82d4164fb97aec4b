#include <stdexcept>

#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_rotation_store.hpp"
#include "gateway/store/pg/pg_stores.hpp"
#include "gateway/store/pg/statements.hpp"
#include "gateway/util/json_writer.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::store::pg {
namespace {

std::vector<std::string> Words(const pqxx::field& f) {
  std::vector<std::string> out;
  std::string s = f.as<std::string>("");
  if (s.empty()) return out;
  for (auto part : util::Split(s, ' ')) out.emplace_back(part);
  return out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : " ") + s;
  return out;
}

pqxx::binarystring Bytes(std::string_view s) { return pqxx::binarystring(std::string(s)); }

// Inserts the access token (and the refresh token when one is asked for) into `family_id`.
int64_t InsertTokens(pqxx::work& tx, int64_t family_id, const NewTokens& tokens,
                     std::optional<int64_t> parent_id) {
  auto row = tx.exec_prepared1(sql::kAccessTokenCreate.name, Bytes(tokens.access_hash),
                               Join(tokens.access_scopes), tokens.access_ttl_seconds, family_id,
                               Join(tokens.audience));
  if (!tokens.refresh_hash.empty()) {
    if (parent_id) {
      tx.exec_prepared(sql::kRefreshTokenCreate.name, Bytes(tokens.refresh_hash), family_id,
                       *parent_id);
    } else {
      tx.exec_prepared(sql::kRefreshTokenCreate.name, Bytes(tokens.refresh_hash), family_id,
                       nullptr);
    }
  }
  return row[0].as<int64_t>();
}

}  // namespace

std::optional<AccessToken> PgTokenStore::FindActiveAccessToken(std::string_view token_hash) {
  return db_.Guard([&]() -> std::optional<AccessToken> {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kAccessTokenFindActive.name, Bytes(token_hash));
    if (r.empty()) return std::nullopt;
    const auto& row = r[0];
    AccessToken t;
    t.id = row["id"].as<int64_t>();
    t.family_id = row["family_id"].as<int64_t>();
    t.client_id = row["client_id"].as<std::string>();
    if (!row["user_id"].is_null()) t.user_id = row["user_id"].as<std::string>();
    t.username = row["email"].as<std::string>("");
    t.scopes = Words(row["scopes"]);
    t.audience = Words(row["audience"]);
    t.issued_at = row["issued"].as<int64_t>();
    t.expires_at = row["expires"].as<int64_t>();
    return t;
  });
}

void PgTokenStore::CreateCode(const NewCode& c) {
  db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    tx.exec_prepared(sql::kCodeCreate.name, Bytes(c.code_hash), c.client_id, c.user_id,
                     c.redirect_uri, c.redirect_uri_given, Join(c.scopes), c.code_challenge,
                     c.ttl_seconds, Join(c.resources));
    tx.exec_prepared(sql::kClientMarkUsed.name, c.client_id);
  });
}

std::optional<AuthorizationCode> PgTokenStore::FindCode(std::string_view code_hash) {
  return db_.Guard([&]() -> std::optional<AuthorizationCode> {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kCodeFind.name, Bytes(code_hash));
    if (r.empty()) return std::nullopt;
    const auto& row = r[0];
    AuthorizationCode c;
    c.id = row["id"].as<int64_t>();
    c.client_id = row["client_id"].as<std::string>();
    c.user_id = row["user_id"].as<std::string>();
    c.redirect_uri = row["redirect_uri"].as<std::string>();
    c.redirect_uri_given = row["redirect_uri_given"].as<bool>();
    c.scopes = Words(row["scopes"]);
    c.resources = Words(row["resources"]);
    c.code_challenge = row["code_challenge"].as<std::string>();
    c.used = row["used"].as<bool>();
    c.expired = row["expired"].as<bool>();
    if (!row["family_id"].is_null()) c.family_id = row["family_id"].as<int64_t>();
    c.user_disabled = row["user_disabled"].as<bool>();
    return c;
  });
}

std::optional<Issued> PgTokenStore::RedeemCode(const AuthorizationCode& code,
                                               int64_t family_ttl_seconds,
                                               const NewTokens& tokens) {
  return db_.Guard([&]() -> std::optional<Issued> {
    pqxx::work tx(db_.Connection());
    auto fam = tx.exec_prepared1(sql::kFamilyCreate.name, code.client_id, code.user_id,
                                 Join(code.scopes), family_ttl_seconds, Join(code.resources));
    int64_t family_id = fam[0].as<int64_t>();
    auto won = tx.exec_prepared(sql::kCodeRedeem.name, code.id, family_id);
    if (won.empty()) return std::nullopt;  // the transaction rolls back: nothing written
    Issued issued{family_id, InsertTokens(tx, family_id, tokens, std::nullopt)};
    tx.commit();
    return issued;
  });
}

std::optional<RefreshTokenRecord> PgTokenStore::FindRefreshToken(std::string_view token_hash) {
  return db_.Guard([&]() -> std::optional<RefreshTokenRecord> {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kRefreshTokenFind.name, Bytes(token_hash));
    if (r.empty()) return std::nullopt;
    const auto& row = r[0];
    RefreshTokenRecord t;
    t.id = row["id"].as<int64_t>();
    t.family_id = row["family_id"].as<int64_t>();
    t.client_id = row["client_id"].as<std::string>();
    if (!row["user_id"].is_null()) t.user_id = row["user_id"].as<std::string>();
    t.username = row["email"].as<std::string>("");
    t.family_scopes = Words(row["scopes"]);
    t.family_resources = Words(row["resources"]);
    t.family_created_at = row["family_created"].as<int64_t>();
    t.family_expires_at = row["family_expires"].as<int64_t>();
    t.retired = row["retired"].as<bool>();
    t.ms_since_retired = row["since_retired_ms"].as<int64_t>();
    t.revoked = row["revoked"].as<bool>();
    t.family_active = row["family_active"].as<bool>();
    if (!row["child"].is_null()) t.unused_child_id = row["child"].as<int64_t>();
    return t;
  });
}

std::optional<Issued> PgTokenStore::Rotate(const RefreshTokenRecord& old, const NewTokens& tokens) {
  return db_.Guard([&]() -> std::optional<Issued> {
    pqxx::work tx(db_.Connection());
    // Family first (see kFamilyTouch): expired, revoked or pruned since it was read means no
    // rotation; the grant reads the token again and answers for what it finds.
    if (tx.exec_prepared(sql::kFamilyTouch.name, old.family_id).empty()) return std::nullopt;
    if (tx.exec_prepared(sql::kRefreshTokenRetire.name, old.id).empty()) return std::nullopt;
    Issued issued{old.family_id, InsertTokens(tx, old.family_id, tokens, old.id)};
    tx.commit();
    return issued;
  });
}

std::optional<Issued> PgTokenStore::RotateAgain(const RefreshTokenRecord& old, int64_t child_id,
                                                const NewTokens& tokens) {
  return db_.Guard([&]() -> std::optional<Issued> {
    pqxx::work tx(db_.Connection());
    if (tx.exec_prepared(sql::kFamilyTouch.name, old.family_id).empty()) return std::nullopt;
    if (tx.exec_prepared(sql::kRefreshTokenRetireUnused.name, child_id).empty()) {
      return std::nullopt;
    }
    Issued issued{old.family_id, InsertTokens(tx, old.family_id, tokens, old.id)};
    tx.commit();
    return issued;
  });
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
  return db_.Guard([&] {
    // One statement in autocommit: one round trip and one commit for the whole batch. A
    // connection lost while it ran leaves the commit in doubt (the caller looks it up).
    pqxx::nontransaction tx(db_.Connection());
    pqxx::result r = InDoubtIfConnectionLost(
        [&] { return tx.exec_prepared(sql::kRefreshRotateBatch.name, json); });
    std::vector<std::optional<Rotated>> out(batch.size());
    for (const auto& row : r) {
      out.at(row[0].as<size_t>()) =
          Rotated{Issued{row[1].as<int64_t>(), row[2].as<int64_t>()}, Words(row[3]), Words(row[4])};
    }
    return out;
  });
}

std::vector<std::optional<Rotated>> PgRotationStore::FindRotated(
    const std::vector<std::string>& access_hashes) {
  std::string hex;
  for (const auto& h : access_hashes) hex += (hex.empty() ? "" : " ") + util::HexLower(h);
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    std::vector<std::optional<Rotated>> out(access_hashes.size());
    for (const auto& row : tx.exec_prepared(sql::kRotatedFind.name, hex)) {
      std::string found = row[0].as<std::string>();
      for (size_t i = 0; i < access_hashes.size(); ++i) {
        if (util::HexLower(access_hashes[i]) == found) {
          out[i] = Rotated{Issued{row[1].as<int64_t>(), row[2].as<int64_t>()}, Words(row[3]),
                           Words(row[4])};
        }
      }
    }
    return out;
  });
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
        .Add("scopes", Join(c.tokens.access_scopes))
        .Add("ttl", c.tokens.access_ttl_seconds)
        .Add("audience", Join(c.tokens.audience))
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
  return db_.Guard([&] {
    // One statement in autocommit, atomic on its own: one round trip and one commit for the
    // batch. A connection lost while it ran leaves the commit in doubt (the caller looks the
    // tokens up).
    pqxx::nontransaction tx(db_.Connection());
    pqxx::result r = InDoubtIfConnectionLost(
        [&] { return tx.exec_prepared(sql::kClientCredentialsIssue.name, json); });
    if (r.size() != batch.size()) throw std::logic_error("client credentials batch short");
    std::vector<Issued> issued(batch.size());
    for (const auto& row : r) {
      issued.at(row[0].as<size_t>()) = Issued{row[1].as<int64_t>(), row[2].as<int64_t>()};
    }
    return issued;
  });
}

bool PgTokenStore::AccessTokenStored(std::string_view token_hash) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    return !tx.exec_prepared(sql::kAccessTokenStored.name, Bytes(token_hash)).empty();
  });
}

bool PgTokenStore::RevokeFamily(int64_t family_id, std::string_view reason) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kFamilyRevoke.name, family_id, std::string(reason));
    return r.affected_rows() == 1;
  });
}

bool PgTokenStore::RevokeAccessToken(int64_t id) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    return tx.exec_prepared(sql::kAccessTokenRevoke.name, id).affected_rows() == 1;
  });
}

std::optional<TokenOwner> PgTokenStore::FindAccessTokenOwner(std::string_view token_hash) {
  return db_.Guard([&]() -> std::optional<TokenOwner> {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kAccessTokenOwner.name, Bytes(token_hash));
    if (r.empty()) return std::nullopt;
    return TokenOwner{r[0][0].as<int64_t>(), r[0][1].as<int64_t>(), r[0][2].as<std::string>()};
  });
}

void PgConsentStore::Save(std::string_view user_id, std::string_view client_id,
                          const Consent& consent) {
  db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    tx.exec_prepared(sql::kConsentSave.name, std::string(user_id), std::string(client_id),
                     Join(consent.scopes), Join(consent.resources));
  });
}

std::optional<Consent> PgConsentStore::Find(std::string_view user_id, std::string_view client_id) {
  return db_.Guard([&]() -> std::optional<Consent> {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kConsentFind.name, std::string(user_id), std::string(client_id));
    if (r.empty()) return std::nullopt;
    return Consent{Words(r[0][0]), Words(r[0][1])};
  });
}

void PgAuditStore::Record(const AuditEvent& e) {
  db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    WriteAudit(tx, e);
  });
}

std::vector<AuditRecord> PgAuditStore::List(const AuditQuery& q) {
  auto text = [](const std::optional<int64_t>& v) -> std::optional<std::string> {
    if (!v) return std::nullopt;
    return std::to_string(*v);
  };
  auto from = text(q.from), to = text(q.to), before = text(q.before);
  const auto& statement = q.user_id ? sql::kAuditListForUser : sql::kAuditListAll;
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec_prepared(statement.name, OrNull(q.user_id), OrNull(q.type), OrNull(from),
                              OrNull(to), OrNull(before), q.limit);
    std::vector<AuditRecord> out;
    for (const auto& row : r) {
      AuditRecord a;
      a.id = row["id"].as<int64_t>();
      a.created_at = row["created"].as<int64_t>();
      a.event.type = row["type"].as<std::string>();
      a.event.user_id = row["user_id"].as<std::string>();
      a.event.client_id = row["client_id"].as<std::string>();
      a.event.actor = row["actor"].as<std::string>();
      a.event.subject = row["subject"].as<std::string>();
      a.event.client_address = row["client_address"].as<std::string>();
      a.event.request_id = row["request_id"].as<std::string>();
      a.event.details_json = row["details"].as<std::string>();
      out.push_back(std::move(a));
    }
    return out;
  });
}

std::vector<Grant> PgTokenStore::ListGrants(std::string_view user_id) {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    std::vector<Grant> out;
    for (const auto& row : tx.exec_prepared(sql::kGrantList.name, std::string(user_id))) {
      Grant g;
      g.family_id = row["id"].as<int64_t>();
      g.client_id = row["client_id"].as<std::string>();
      g.client_name = row["name"].as<std::string>();
      g.scopes = Words(row["scopes"]);
      g.created_at = row["created"].as<int64_t>();
      g.last_used_at = row["last_used"].as<int64_t>();
      g.expires_at = row["expires"].as<int64_t>();
      out.push_back(std::move(g));
    }
    return out;
  });
}

bool PgTokenStore::RevokeGrantForUser(std::string_view user_id, int64_t family_id,
                                      const AuditEvent& audit) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kGrantRevokeForUser.name, std::string(user_id), family_id,
                              "revoked by the user");
    if (r.affected_rows() != 1) return false;
    WriteAudit(tx, audit);
    tx.commit();
    return true;
  });
}

}  // namespace oakgate::store::pg
