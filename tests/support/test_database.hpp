#pragma once
// A fresh PostgreSQL database per test suite, on the cluster scripts/test started
// (OAKGATE_TEST_PG_SOCKET_DIR, OAKGATE_TEST_PG_PORT, OAKGATE_TEST_PG_USER), dropped afterwards.
#include <string>

namespace oakgate::test {

// libpq URI for a database on the test cluster.
std::string TestDatabaseUrl(const std::string& dbname);

class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  // Runs SQL and returns the first column of the first row ("" when none).
  std::string Scalar(const std::string& sql) const;
  // True once a statement starting with `prefix` waits for a lock in this cluster (polled for
  // at most 5 s): the moment a test holding that lock knows the statement is blocked on it.
  bool WaitsForLock(const std::string& prefix) const;

 private:
  std::string name_;
  std::string url_;
};

}  // namespace oakgate::test
