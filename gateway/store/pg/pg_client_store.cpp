#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {
namespace {

std::optional<std::string> OptionalBytes(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return pqxx::binarystring(f).str();
}

Client FromRow(const pqxx::row& row) {
  Client c;
  c.id = row["id"].as<std::string>();
  c.name = row["name"].as<std::string>();
  c.secret_hash = OptionalBytes(row["secret_hash"]);
  c.previous_secret_hash = OptionalBytes(row["previous_secret_hash"]);
  c.previous_secret_expires_at = OptionalInt(row["previous_expires"]);
  c.confidential = row["is_confidential"].as<bool>();
  c.first_party = row["is_first_party"].as<bool>();
  c.can_introspect = row["can_introspect"].as<bool>();
  c.registered = row["is_registered"].as<bool>();
  c.requires_resource = row["requires_resource"].as<bool>();
  c.redirect_uris = ListField(row["redirect_uris"]);
  c.scopes = ListField(row["scopes"]);
  c.grant_types = ListField(row["grant_types"]);
  c.created_at = row["created"].as<int64_t>();
  return c;
}

}  // namespace

bool PgClientStore::Create(const Client& c, const AuditEvent& audit) {
  // A public client has no secret: NULL, sent as a null pointer.
  std::optional<pqxx::binarystring> secret;
  if (c.secret_hash) secret = Bytea(*c.secret_hash);
  return AuditedWrite(db_, audit, [&](pqxx::work& tx, AuditEvent&) {
           auto create = [&](const auto& secret_param) {
             return tx
                 .exec_prepared(sql::kClientCreate.name, c.id, c.name, secret_param, c.confidential,
                                c.first_party, c.can_introspect, util::JoinList(c.redirect_uris),
                                util::JoinList(c.scopes), util::JoinList(c.grant_types),
                                c.registered, c.requires_resource)
                 .affected_rows();
           };
           return (secret ? create(*secret) : create(nullptr)) == 1 ? WriteOutcome::kOk
                                                                    : WriteOutcome::kConflict;
         }) == WriteOutcome::kOk;
}

std::optional<Client> PgClientStore::Find(std::string_view id) {
  return QueryOne(db_, sql::kClientFind, FromRow, std::string(id));
}

std::vector<Client> PgClientStore::List() { return QueryAll(db_, sql::kClientList, FromRow); }

bool PgClientStore::Delete(std::string_view id, const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kClientDelete, std::string(id)) == WriteOutcome::kOk;
}

bool PgClientStore::Update(const Client& c, const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kClientUpdate, c.id, c.name, c.first_party,
                       c.can_introspect, util::JoinList(c.redirect_uris), util::JoinList(c.scopes),
                       util::JoinList(c.grant_types), c.requires_resource) == WriteOutcome::kOk;
}

bool PgClientStore::RotateSecret(std::string_view id, std::string_view new_secret_hash,
                                 int64_t grace_seconds, const AuditEvent& audit) {
  return AuditedChange(db_, audit, sql::kClientRotateSecret, std::string(id),
                       Bytea(new_secret_hash), grace_seconds) == WriteOutcome::kOk;
}

}  // namespace oakgate::store::pg
