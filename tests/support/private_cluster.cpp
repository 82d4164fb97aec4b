#include "tests/support/private_cluster.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "tests/support/gateway_process.hpp"

namespace oakgate::test {

PrivateCluster::PrivateCluster() {
  char tmpl[] = "/tmp/oakgate-private-pg.XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  chmod(dir_.c_str(), 0755);  // the postgres user owns the cluster when we are root
  port_ = FreePort();
  script_ = std::string(OAKGATE_SOURCE_DIR) + "/scripts/pg-cluster";
  if (!Start()) throw std::runtime_error("could not start a private PostgreSQL in " + dir_);
  url_ = Run("url " + dir_ + " " + std::to_string(port_) + " postgres");
  while (!url_.empty() && (url_.back() == '\n' || url_.back() == '\r')) url_.pop_back();
}

PrivateCluster::~PrivateCluster() {
  Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool PrivateCluster::Stop() {
  return std::system((script_ + " stop " + dir_ + " >/dev/null 2>&1").c_str()) == 0;
}

bool PrivateCluster::Start() {
  std::string cmd = script_ + " start " + dir_ + " " + std::to_string(port_) + " >/dev/null";
  return std::system(cmd.c_str()) == 0;
}

std::string PrivateCluster::Run(const std::string& args) const {
  FILE* p = popen((script_ + " " + args).c_str(), "r");
  if (!p) return "";
  std::string out;
  char buf[1024];
  while (fgets(buf, sizeof(buf), p)) out += buf;
  pclose(p);
  return out;
}

}  // namespace oakgate::test
