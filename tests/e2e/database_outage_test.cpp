// The gateway survives its database going away and coming back, without a restart. This
// suite runs its own private PostgreSQL cluster so stopping it disturbs no other test.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/private_cluster.hpp"

namespace oakgate::test {
namespace {

class DatabaseOutageE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = std::make_unique<PrivateCluster>();
    url_ = pg_->url();
  }
  void TearDown() override {
    gw_.reset();  // the gateway first, then its database
    pg_.reset();
  }
  void StopDatabase() { ASSERT_TRUE(pg_->Stop()); }
  void StartDatabase() { ASSERT_TRUE(pg_->Start()); }

  std::unique_ptr<PrivateCluster> pg_;
  std::string url_;
  std::unique_ptr<GatewayProcess> gw_;
};

TEST_F(DatabaseOutageE2E, ReadyzFollowsTheDatabaseWithoutARestart) {
  gw_ = std::make_unique<GatewayProcess>(url_);
  auto created = RunOakgate({"user", "create", "--email", "ops@example.com", "--password-stdin"},
                            gw_->env(), "operations-password\n");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  int port = gw_->port();
  EXPECT_EQ(Fetch(port, "GET", "/readyz").status, 200);

  StopDatabase();
  EXPECT_TRUE(gw_->WaitReady(503, std::chrono::seconds(15)));
  auto ready = Fetch(port, "GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(Fetch(port, "GET", "/healthz").status, 200) << "the process itself is fine";
  // Login shows an HTML 503 page, never a redirect and never a 401.
  LoginForm form = FetchLoginForm(port);
  auto login = PostLogin(port, form, "ops@example.com", "operations-password");
  EXPECT_EQ(login.status, 503);
  EXPECT_NE(login.Header("content-type").value_or("").find("text/html"), std::string::npos);
  EXPECT_TRUE(login.Header("retry-after"));

  StartDatabase();
  // Generous: the contract's bound is 5 s; the machines are shared.
  EXPECT_TRUE(gw_->WaitReady(200, std::chrono::seconds(20)));
  // Every worker's connection died with the server; none may fail a request for it. More
  // requests than workers, each from its own address so throttling stays out of it.
  for (int i = 0; i < 10; ++i) {
    std::string addr = "127.0.5." + std::to_string(10 + i);
    auto again = PostLogin(port, FetchLoginForm(port, "", addr), "ops@example.com",
                           "operations-password", "", addr);
    EXPECT_EQ(again.status, 303) << "login " << i << " after the database came back";
  }
}

}  // namespace
}  // namespace oakgate::test

namespace oakgate::test {
namespace {

TEST_F(DatabaseOutageE2E, AQuickDatabaseRestartCostsNoRequest) {
  gw_ = std::make_unique<GatewayProcess>(url_);
  auto created = RunOakgate({"user", "create", "--email", "quick@example.com", "--password-stdin"},
                            gw_->env(), "operations-password\n");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  int port = gw_->port();
  // Concurrent logins spread over the workers, so each holds an open connection.
  LoginForm form = FetchLoginForm(port);
  std::string body = FormEncode({{"email", "quick@example.com"},
                                 {"password", "wrong"},
                                 {"csrf", form.csrf_token},
                                 {"return_to", "/"}});
  std::vector<std::unique_ptr<HttpConnection>> warm;
  for (int i = 0; i < 8; ++i) {
    warm.push_back(std::make_unique<HttpConnection>(port, "127.0.6." + std::to_string(10 + i)));
    warm.back()->SendRaw(
        "POST /web/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
        "application/x-www-form-urlencoded\r\nCookie: " +
        form.csrf_cookie + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
        body);
  }
  for (auto& c : warm) ASSERT_TRUE(c->Read(std::chrono::seconds(30)));

  // The server goes away and comes back between two requests: the connections the workers
  // hold are dead, and nothing has told them yet.
  StopDatabase();
  StartDatabase();
  for (int i = 0; i < 10; ++i) {
    std::string addr = "127.0.7." + std::to_string(10 + i);
    auto r = PostLogin(port, FetchLoginForm(port, "", addr), "quick@example.com",
                       "operations-password", "", addr);
    EXPECT_EQ(r.status, 303) << "login " << i << " after a quick restart";
  }
}

}  // namespace
}  // namespace oakgate::test
