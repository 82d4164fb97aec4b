// Scanning for live credentials (security.md G9, G10): failed lookups at /oauth/introspect,
// /oauth/revoke and /v1/validate are limited per client address, across instances, while valid
// credentials never count. Each test scans from its own loopback address, since the limit of
// an address is shared through the database by both gateways of the suite.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/api_client.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/oauth_flow.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/token_fixture.hpp"

namespace oakgate::test {
namespace {

using nlohmann::json;

// Five failures at once, then one every 12 s: a scan of six requests meets the limit.
constexpr int kLimit = 5;

class LookupThrottleE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    std::map<std::string, std::string> env = {
        {"OAKGATE_LOOKUP_FAILURES_PER_MINUTE", std::to_string(kLimit)}};
    a_ = new GatewayProcess(db_->url(), env);
    b_ = new GatewayProcess(db_->url(), env);
    rs_ = new TestClient(CreateClient(
        *a_, "rs", "", {"--confidential", "--introspect", "--grant-types", "client_credentials"}));
    CreateTestClient(a_->env(), "app");  // public: revokes with its client_id only
    user_ = new std::string(CreateTestUser(a_->env(), "scan@example.com"));
    std::string manager = IssueTestAccessToken(db_->url(), "app", *user_, "keys agents");
    key_ = new std::string(SeedAgent(a_->port(), manager, "agent", {{"github", {"read"}}},
                                     {{"github", "read", "none"}})
                               .key);
  }
  static void TearDownTestSuite() {
    delete key_;
    delete user_;
    delete rs_;
    delete b_;
    delete a_;
    delete db_;
  }

  static HttpResponse Introspect(const GatewayProcess& gw, const std::string& token,
                                 const std::string& from) {
    return PostForm(gw.port(), "/oauth/introspect", {{"token", token}},
                    {{"Authorization", BasicAuth(rs_->id, rs_->secret)}}, from);
  }
  static HttpResponse Revoke(const std::string& token, const std::string& from) {
    return PostForm(a_->port(), "/oauth/revoke", {{"token", token}, {"client_id", "app"}}, {},
                    from);
  }
  static JsonResponse Validate(const std::string& key, const std::string& from) {
    return ParseJsonResponse(Fetch(a_->port(), "POST", "/v1/validate",
                                   {{"Content-Type", "application/json"}, {"X-API-Key", key}},
                                   json{{"tool", "github"}, {"scope", "read"}}.dump(), from));
  }
  static std::string AccessToken(const std::string& client = "rs") {
    return IssueTestAccessToken(db_->url(), client, *user_, "keys");
  }
  // A fresh token of the right shape that nobody issued.
  static std::string Unknown(const std::string& prefix, int i) {
    std::string tail = std::to_string(i);
    return prefix + std::string(43 - tail.size(), 'Q') + tail;
  }
  static bool Active(const std::string& token) {
    auto r = Introspect(*a_, token, "127.0.0.100");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 && json::parse(r.body).value("active", false);
  }
  static void ExpectThrottled(const HttpResponse& r, const std::string& what) {
    EXPECT_EQ(r.status, 429) << what << ": " << r.body;
    auto retry = r.Header("retry-after");
    ASSERT_TRUE(retry.has_value()) << what;
    EXPECT_GE(std::stoi(*retry), 1) << what;
    EXPECT_LE(std::stoi(*retry), 60 / kLimit) << what;
    EXPECT_EQ(json::parse(r.body).value("error", ""), "too_many_requests") << what;
  }

  static TestDatabase* db_;
  static GatewayProcess* a_;
  static GatewayProcess* b_;
  static TestClient* rs_;
  static std::string* user_;
  static std::string* key_;
};

TestDatabase* LookupThrottleE2E::db_ = nullptr;
GatewayProcess* LookupThrottleE2E::a_ = nullptr;
GatewayProcess* LookupThrottleE2E::b_ = nullptr;
TestClient* LookupThrottleE2E::rs_ = nullptr;
std::string* LookupThrottleE2E::user_ = nullptr;
std::string* LookupThrottleE2E::key_ = nullptr;

TEST_F(LookupThrottleE2E, ScanningIntrospectionWithUnknownTokensIsRefusedAfterTheLimit) {
  const std::string scanner = "127.0.0.101";
  std::string valid = AccessToken();
  for (int i = 0; i < kLimit; ++i) {
    auto r = Introspect(*a_, Unknown("oat_", i), scanner);
    ASSERT_EQ(r.status, 200) << i << ": " << r.body;
    EXPECT_EQ(r.body, R"({"active":false})");
  }
  ExpectThrottled(Introspect(*a_, Unknown("oat_", kLimit), scanner), "the scan");
  // Other shapes count too, and a lucky guess from the scanner is not told either.
  ExpectThrottled(Introspect(*a_, "garbage", scanner), "a malformed token");
  ExpectThrottled(Introspect(*a_, valid, scanner), "a valid token from the scanning address");
  // The same client from another address, and the same token, are served as ever.
  auto other = Introspect(*a_, valid, "127.0.0.102");
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_EQ(json::parse(other.body)["active"], true);
}

TEST_F(LookupThrottleE2E, IntrospectingExpiredAndValidTokensNeverCounts) {
  const std::string rs = "127.0.0.103";
  std::string expired = IssueTestAccessToken(db_->url(), "rs", *user_, "keys", -10);
  std::string valid = AccessToken();
  for (int i = 0; i < 4 * kLimit; ++i) {
    auto dead = Introspect(*a_, expired, rs);
    ASSERT_EQ(dead.status, 200) << i << ": " << dead.body;
    EXPECT_EQ(dead.body, R"({"active":false})");
    auto live = Introspect(*a_, valid, rs);
    ASSERT_EQ(live.status, 200) << i << ": " << live.body;
    EXPECT_EQ(json::parse(live.body)["active"], true);
  }
}

TEST_F(LookupThrottleE2E, APublicClientProbingRevocationIsRefusedAfterTheLimit) {
  const std::string scanner = "127.0.0.111";
  std::string own = AccessToken("app");
  std::string others = AccessToken("rs");
  for (int i = 0; i < kLimit - 1; ++i) {
    auto r = Revoke(Unknown(i % 2 ? "oat_" : "ort_", i), scanner);
    ASSERT_EQ(r.status, 200) << i << ": " << r.body;
  }
  // "Another client's" tells a scan as much as "unknown" does, so it counts the same.
  EXPECT_EQ(Revoke(others, scanner).status, 400);
  ExpectThrottled(Revoke(Unknown("oat_", 99), scanner), "the scan");
  ExpectThrottled(Revoke(own, scanner), "its own token from the scanning address");
  EXPECT_TRUE(Active(own)) << "nothing was revoked while refused";
  // From another address the client revokes its own token as ever.
  EXPECT_EQ(Revoke(own, "127.0.0.112").status, 200);
  EXPECT_FALSE(Active(own));
  EXPECT_TRUE(Active(others));
}

TEST_F(LookupThrottleE2E, ValidatingWithMalformedKeysIsRefusedAfterTheLimit) {
  const std::string scanner = "127.0.0.121";
  for (int i = 0; i < kLimit; ++i) {
    auto r = Validate("not-a-key-" + std::to_string(i), scanner);
    ASSERT_EQ(r.status, 401) << i << ": " << r.raw.body;
    EXPECT_EQ(r.body["error"], "invalid_api_key_format");
  }
  ExpectThrottled(Validate("not-a-key", scanner).raw, "the scan");
  ExpectThrottled(Validate(*key_, scanner).raw, "a valid key from the scanning address");
  auto other = Validate(*key_, "127.0.0.122");
  ASSERT_EQ(other.status, 200) << other.raw.body;
  EXPECT_EQ(other.body["allowed"], true);
}

TEST_F(LookupThrottleE2E, ValidatingWithUnknownKeysIsRefusedAfterTheLimit) {
  const std::string scanner = "127.0.0.131";
  // The real key's id with a wrong secret is as unknown as a made-up id.
  std::string id = key_->substr(0, key_->find('.'));
  for (int i = 0; i < kLimit; ++i) {
    std::string digit = std::to_string(i);
    std::string guess = i % 2 ? "pk_" + std::string(15, 'Z') + digit + ".sk_" + std::string(43, 'B')
                              : id + ".sk_" + std::string(42, 'A') + digit;
    auto r = Validate(guess, scanner);
    ASSERT_EQ(r.status, 401) << i << ": " << r.raw.body;
    EXPECT_EQ(r.body["error"], "invalid_api_key") << guess;
  }
  ExpectThrottled(
      Validate("pk_" + std::string(16, 'Y') + ".sk_" + std::string(43, 'C'), scanner).raw,
      "the scan");
  auto other = Validate(*key_, "127.0.0.132");
  ASSERT_EQ(other.status, 200) << other.raw.body;
  EXPECT_EQ(other.body["allowed"], true);
}

TEST_F(LookupThrottleE2E, AValidKeyIsNeverSlowed) {
  const std::string agent = "127.0.0.141";
  for (int i = 0; i < 10 * kLimit; ++i) {
    auto r = Validate(*key_, agent);
    ASSERT_EQ(r.status, 200) << i << ": " << r.raw.body;
    EXPECT_EQ(r.body["allowed"], true);
  }
  // Its address has its whole allowance of failures left.
  for (int i = 0; i < kLimit; ++i) EXPECT_EQ(Validate("bad", agent).status, 401) << i;
}

TEST_F(LookupThrottleE2E, TwoInstancesShareOneLimitPerAddress) {
  const std::string scanner = "127.0.0.151";
  for (int i = 0; i < kLimit; ++i) {
    auto r = Introspect(i % 2 ? *a_ : *b_, Unknown("oat_", 1000 + i), scanner);
    ASSERT_EQ(r.status, 200) << i << ": " << r.body;
  }
  ExpectThrottled(Introspect(*a_, Unknown("oat_", 2000), scanner), "instance a");
  ExpectThrottled(Introspect(*b_, Unknown("oat_", 2001), scanner), "instance b");
}

}  // namespace
}  // namespace oakgate::test
