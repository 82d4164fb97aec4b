// A full worker queue sheds load at once with 503 and Retry-After (ARCHITECTURE "Where work
// runs"), while work that needs only memory keeps answering.
#include <gtest/gtest.h>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/login_flow.hpp"
#include "tests/support/test_database.hpp"

namespace oakgate::test {
namespace {

TEST(LoadSheddingE2E, FullQueueAnswers503WithRetryAfterAndHealthStillAnswers) {
  TestDatabase db;
  // One worker and room for one queued request: the third concurrent login has nowhere to go.
  GatewayProcess gw(db.url(), {{"OAKGATE_DB_POOL", "1"}, {"OAKGATE_WORKER_QUEUE", "1"}});
  auto created = RunOakgate({"user", "create", "--email", "busy@example.com", "--password-stdin"},
                            gw.env(), "a-long-password\n");
  ASSERT_EQ(created.exit_code, 0) << created.err;

  LoginForm form = FetchLoginForm(gw.port());
  std::string body = FormEncode({{"email", "busy@example.com"},
                                 {"password", "wrong-password"},
                                 {"csrf", form.csrf_token},
                                 {"return_to", "/"}});
  std::vector<std::unique_ptr<HttpConnection>> logins;
  for (int i = 0; i < 6; ++i) {
    // Each from its own address, so throttling never decides the answer.
    logins.push_back(
        std::make_unique<HttpConnection>(gw.port(), "127.0.4." + std::to_string(10 + i)));
    logins.back()->SendRaw(
        "POST /web/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
        "application/x-www-form-urlencoded\r\nCookie: " +
        form.csrf_cookie + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
        body);
  }
  auto health = Fetch(gw.port(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200);

  int shed = 0, answered = 0;
  for (auto& c : logins) {
    auto r = c->Read(std::chrono::seconds(30));
    ASSERT_TRUE(r) << "every request gets an answer, shed or not";
    if (r->status == 503) {
      ++shed;
      EXPECT_TRUE(r->Header("retry-after"));
    } else {
      EXPECT_EQ(r->status, 401);
      ++answered;
    }
  }
  EXPECT_GE(shed, 1);
  EXPECT_GE(answered, 1);
  // Once the burst is over the gateway serves normally again.
  EXPECT_EQ(PostLogin(gw.port(), FetchLoginForm(gw.port(), "", "127.0.4.99"), "busy@example.com",
                      "a-long-password", "", "127.0.4.99")
                .status,
            303);
}

}  // namespace
}  // namespace oakgate::test
