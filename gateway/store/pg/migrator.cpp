#include "gateway/store/pg/migrator.hpp"

#include <algorithm>
#include <pqxx/pqxx>
#include <set>

#include "gateway/util/errors.hpp"

namespace oakgate::store::pg {
namespace {

// An arbitrary constant shared by every oakgate instance: the migration lock.
constexpr long long kMigrationLock = 0x6f616b6761746531LL;

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version text PRIMARY KEY,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

std::unique_ptr<pqxx::connection> Connect(const std::string& url) {
  try {
    return std::make_unique<pqxx::connection>(url);
  } catch (const pqxx::broken_connection& e) {
    throw util::ServiceUnavailable(std::string("cannot connect to the database: ") + e.what());
  }
}

std::set<std::string> Applied(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  auto exists = tx.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL");
  std::set<std::string> out;
  if (!exists[0].as<bool>()) return out;
  for (const auto& row : tx.exec("SELECT version FROM schema_migrations")) {
    out.insert(row[0].as<std::string>());
  }
  return out;
}

}  // namespace

std::vector<std::string> ApplyMigrations(const std::string& database_url) {
  auto conn = Connect(database_url);
  std::vector<std::string> done;
  {
    pqxx::nontransaction lock(*conn);
    lock.exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ")");
  }
  try {
    {
      pqxx::nontransaction tx(*conn);
      tx.exec(kCreateTable);
    }
    auto applied = Applied(*conn);
    for (const auto& m : EmbeddedMigrations()) {
      if (applied.count(m.version)) continue;
      pqxx::work tx(*conn);
      try {
        tx.exec(m.sql);
      } catch (const pqxx::sql_error& e) {
        throw std::runtime_error("migration " + m.version + " failed: " + e.what());
      }
      tx.exec_params("INSERT INTO schema_migrations (version) VALUES ($1)", m.version);
      tx.commit();
      done.push_back(m.version);
    }
  } catch (...) {
    try {
      pqxx::nontransaction unlock(*conn);
      unlock.exec("SELECT pg_advisory_unlock_all()");
    } catch (...) {
    }
    throw;
  }
  pqxx::nontransaction unlock(*conn);
  unlock.exec("SELECT pg_advisory_unlock_all()");
  return done;
}

MigrationStatus ReadMigrationStatus(const std::string& database_url) {
  auto conn = Connect(database_url);
  auto applied = Applied(*conn);
  MigrationStatus status;
  std::set<std::string> known;
  for (const auto& m : EmbeddedMigrations()) {
    known.insert(m.version);
    (applied.count(m.version) ? status.applied : status.pending).push_back(m.version);
  }
  for (const auto& v : applied) {
    if (!known.count(v)) status.unknown.push_back(v);
  }
  return status;
}

}  // namespace oakgate::store::pg
