#include "gateway/store/pg/migrator.hpp"

#include <algorithm>
#include <pqxx/pqxx>
#include <set>

#include "gateway/store/pg/statements.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::store::pg {
namespace {

// An arbitrary constant shared by every oakgate instance: the migration lock.
constexpr long long kMigrationLock = 0x6f616b6761746531LL;

std::unique_ptr<pqxx::connection> Connect(const std::string& url) {
  try {
    auto conn = std::make_unique<pqxx::connection>(url);
    for (const auto& s : sql::kAll) conn->prepare(s.name, s.text);
    return conn;
  } catch (const pqxx::broken_connection& e) {
    throw util::ServiceUnavailable(std::string("cannot connect to the database: ") + e.what());
  }
}

std::set<std::string> Applied(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  std::set<std::string> out;
  if (!tx.exec_prepared1(sql::kMigrationTableExists.name)[0].as<bool>()) return out;
  for (const auto& row : tx.exec_prepared(sql::kMigrationVersions.name)) {
    out.insert(row[0].as<std::string>());
  }
  return out;
}

void Unlock(pqxx::connection& conn) {
  pqxx::nontransaction unlock(conn);
  unlock.exec_prepared(sql::kMigrationUnlock.name, kMigrationLock);
}

}  // namespace

std::vector<std::string> ApplyMigrations(const std::string& database_url) {
  auto conn = Connect(database_url);
  std::vector<std::string> done;
  {
    pqxx::nontransaction lock(*conn);
    lock.exec_prepared(sql::kMigrationLock.name, kMigrationLock);
  }
  try {
    {
      pqxx::nontransaction tx(*conn);
      tx.exec_prepared(sql::kMigrationTableCreate.name);
    }
    auto applied = Applied(*conn);
    for (const auto& m : EmbeddedMigrations()) {
      if (applied.count(m.version)) continue;
      pqxx::work tx(*conn);
      try {
        // A script of several statements, compiled in: one simple query (it takes no
        // parameters, and a prepared statement holds only one statement).
        tx.exec(m.sql);
      } catch (const pqxx::sql_error& e) {
        throw std::runtime_error("migration " + m.version + " failed: " + e.what());
      }
      tx.exec_prepared(sql::kMigrationRecord.name, m.version);
      tx.commit();
      done.push_back(m.version);
    }
  } catch (...) {
    try {
      Unlock(*conn);
    } catch (...) {
    }
    throw;
  }
  Unlock(*conn);
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
