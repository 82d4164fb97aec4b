// PITFALLS 3: connections killed at random moments, some of them during COMMIT, while clients
// rotate refresh tokens. A client that gets a 503 retries with the same token; it must never
// be told invalid_grant (its retry taken for reuse) and its chain must survive. Commits in
// doubt are resolved by the gateway before it answers.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;
constexpr const char* kPassword = "correct horse battery staple";

TEST(OAuthInDoubtE2E, KilledConnectionsNeverTurnARetryIntoReuse) {
  TestDatabase db;
  GatewayProcess gw(db.url());
  int port = gw.port();
  CreateUser(gw, "alice@example.com", kPassword);
  TestClient app = CreateClient(gw, "app", "https://app.example/cb", {"--first-party"});
  std::string session = LoginSession(port, "alice@example.com", kPassword);
  constexpr int kClients = 4;
  std::vector<std::string> tokens;
  for (int i = 0; i < kClients; ++i) {
    Pkce pkce = NewPkce();
    auto r = RedeemCode(port, app, AuthorizeCode(port, app, session, pkce), pkce.verifier);
    ASSERT_EQ(r.status, 200);
    tokens.push_back(json::parse(r.body)["refresh_token"]);
  }

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, unavailable{0}, bad{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      while (!stop.load() && bad.load() == 0) {
        auto r = Refresh(port, app, tokens[i]);
        if (r.status == 200) {
          tokens[i] = json::parse(r.body)["refresh_token"];
          ++ok;
        } else if (r.status == 503) {
          ++unavailable;  // keep the token and retry, as a client must
        } else {
          ++bad;
          ADD_FAILURE() << "client " << i << ": " << r.status << " " << r.body;
        }
      }
    });
  }
  // Kill the gateway's backends of this database, again and again.
  std::string kill =
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
      " WHERE datname = '" +
      db.name() + "' AND pid <> pg_backend_pid()";
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  int kills = 0;
  while (std::chrono::steady_clock::now() < until && bad.load() == 0) {
    kills += std::stoi(db.Scalar(kill));
    std::this_thread::sleep_for(std::chrono::milliseconds(15 + (kills % 4) * 10));
  }
  stop = true;
  for (auto& c : clients) c.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(ok.load(), 0);
  EXPECT_GT(kills, 0);
  // Every chain still refreshes, and no family was revoked for reuse.
  for (const auto& t : tokens) EXPECT_EQ(Refresh(port, app, t).status, 200);
  EXPECT_EQ(db.Scalar("SELECT count(*) FROM token_families WHERE revoked_at IS NOT NULL"), "0");
  std::string logs = gw.Logs();
  size_t doubts = 0;
  for (size_t p = 0; (p = logs.find("commit in doubt; resolving", p)) != std::string::npos; ++p) {
    ++doubts;
  }
  std::cout << "refreshes " << ok.load() << ", 503s " << unavailable.load() << ", backends killed "
            << kills << ", commits in doubt resolved " << doubts << "\n";
}

}  // namespace
}  // namespace oakgate::test
