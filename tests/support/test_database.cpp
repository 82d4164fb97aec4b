#include "tests/support/test_database.hpp"

#include <chrono>
#include <cstdlib>
#include <pqxx/pqxx>
#include <stdexcept>
#include <thread>

#include "gateway/crypto/random.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::test {
namespace {

std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

}  // namespace

std::string TestDatabaseUrl(const std::string& dbname) {
  std::string socket = Env("OAKGATE_TEST_PG_SOCKET_DIR", "");
  if (socket.empty()) {
    throw std::runtime_error(
        "OAKGATE_TEST_PG_SOCKET_DIR is not set: run the tests through scripts/test");
  }
  return "postgresql://" + Env("OAKGATE_TEST_PG_USER", "postgres") + "@/" + dbname +
         "?host=" + util::PercentEncode(socket) + "&port=" + Env("OAKGATE_TEST_PG_PORT", "5432");
}

TestDatabase::TestDatabase() {
  name_ = "oakgate_test_" + util::ToLower(crypto::RandomAlnum(12));
  pqxx::connection admin(TestDatabaseUrl("postgres"));
  pqxx::nontransaction tx(admin);
  tx.exec("CREATE DATABASE " + name_);
  url_ = TestDatabaseUrl(name_);
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection admin(TestDatabaseUrl("postgres"));
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
  }
}

std::string TestDatabase::Scalar(const std::string& sql) const {
  pqxx::connection conn(url_);
  pqxx::nontransaction tx(conn);
  auto r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].as<std::string>();
}

bool TestDatabase::WaitsForLock(const std::string& prefix) const {
  pqxx::connection conn(url_);
  for (int i = 0; i < 500; ++i) {
    pqxx::nontransaction tx(conn);
    auto r = tx.exec_params(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND datname = current_database() AND starts_with(query, $1)",
        prefix);
    if (r[0][0].as<int>() > 0) return true;
    tx.commit();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace oakgate::test
