#pragma once
// A PostgreSQL cluster of the suite's own (scripts/pg-cluster), for tests that stop and start
// the database: stopping the shared test cluster would disturb every other suite.
#include <string>

namespace oakgate::test {

class PrivateCluster {
 public:
  // Creates and starts the cluster in a fresh folder under /tmp; throws on failure.
  PrivateCluster();
  // Stops the cluster and removes its folder.
  ~PrivateCluster();
  PrivateCluster(const PrivateCluster&) = delete;
  PrivateCluster& operator=(const PrivateCluster&) = delete;

  // The libpq URI of its `postgres` database.
  const std::string& url() const { return url_; }
  // true when the command succeeded.
  bool Stop();
  bool Start();

 private:
  std::string Run(const std::string& args) const;
  std::string dir_;
  std::string script_;
  int port_ = 0;
  std::string url_;
};

}  // namespace oakgate::test
