#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/pg_stores.hpp"
#include "gateway/store/pg/statements.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::store::pg {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : " ") + s;
  return out;
}

std::vector<std::string> SplitWords(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  for (auto part : util::Split(s, ' ')) out.emplace_back(part);
  return out;
}

std::optional<std::string> Bytes(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return pqxx::binarystring(f).str();
}

Client FromRow(const pqxx::row& row) {
  Client c;
  c.id = row["id"].as<std::string>();
  c.name = row["name"].as<std::string>();
  c.secret_hash = Bytes(row["secret_hash"]);
  c.previous_secret_hash = Bytes(row["previous_secret_hash"]);
  if (!row["previous_expires"].is_null()) {
    c.previous_secret_expires_at = row["previous_expires"].as<int64_t>();
  }
  c.confidential = row["is_confidential"].as<bool>();
  c.first_party = row["is_first_party"].as<bool>();
  c.can_introspect = row["can_introspect"].as<bool>();
  c.registered = row["is_registered"].as<bool>();
  c.requires_resource = row["requires_resource"].as<bool>();
  c.redirect_uris = SplitWords(row["redirect_uris"].as<std::string>(""));
  c.scopes = SplitWords(row["scopes"].as<std::string>(""));
  c.grant_types = SplitWords(row["grant_types"].as<std::string>(""));
  c.created_at = row["created"].as<int64_t>();
  return c;
}

}  // namespace

bool PgClientStore::Create(const Client& c) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    pqxx::result r;
    if (c.secret_hash) {
      r = tx.exec_prepared(sql::kClientCreate.name, c.id, c.name,
                           pqxx::binarystring(*c.secret_hash), c.confidential, c.first_party,
                           c.can_introspect, Join(c.redirect_uris), Join(c.scopes),
                           Join(c.grant_types), c.registered, c.requires_resource);
    } else {
      r = tx.exec_prepared(sql::kClientCreate.name, c.id, c.name, nullptr, c.confidential,
                           c.first_party, c.can_introspect, Join(c.redirect_uris), Join(c.scopes),
                           Join(c.grant_types), c.registered, c.requires_resource);
    }
    tx.commit();
    return !r.empty();
  });
}

std::optional<Client> PgClientStore::Find(std::string_view id) {
  return db_.Guard([&]() -> std::optional<Client> {
    pqxx::nontransaction tx(db_.Connection());
    auto r =
        tx.exec_params(std::string("SELECT ") + sql::kClientColumns + " FROM clients WHERE id = $1",
                       std::string(id));
    if (r.empty()) return std::nullopt;
    return FromRow(r[0]);
  });
}

std::vector<Client> PgClientStore::List() {
  return db_.Guard([&] {
    pqxx::nontransaction tx(db_.Connection());
    auto r = tx.exec(std::string("SELECT ") + sql::kClientColumns + " FROM clients ORDER BY id");
    std::vector<Client> out;
    for (const auto& row : r) out.push_back(FromRow(row));
    return out;
  });
}

bool PgClientStore::Delete(std::string_view id) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kClientDelete.name, std::string(id));
    tx.commit();
    return r.affected_rows() == 1;
  });
}

bool PgClientStore::Update(const Client& c) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kClientUpdate.name, c.id, c.name, c.first_party,
                              c.can_introspect, Join(c.redirect_uris), Join(c.scopes),
                              Join(c.grant_types), c.requires_resource);
    tx.commit();
    return r.affected_rows() == 1;
  });
}

bool PgClientStore::RotateSecret(std::string_view id, std::string_view new_secret_hash,
                                 int64_t grace_seconds) {
  return db_.Guard([&] {
    pqxx::work tx(db_.Connection());
    auto r = tx.exec_prepared(sql::kClientRotateSecret.name, std::string(id),
                              pqxx::binarystring(std::string(new_secret_hash)), grace_seconds);
    tx.commit();
    return r.affected_rows() == 1;
  });
}

}  // namespace oakgate::store::pg
