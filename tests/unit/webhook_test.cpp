// Webhooks (CONTRACT §11) without a network or a database: Standard Webhooks signatures
// against the specification's own example, sealed secrets, where deliveries may go, the
// retry schedule, and the sender's bounds and outcomes with a fake outbox and transport.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "gateway/crypto/secret_box.hpp"
#include "gateway/webhook/address_policy.hpp"
#include "gateway/webhook/sender.hpp"
#include "gateway/webhook/signature.hpp"
#include "tests/support/eventually.hpp"

namespace oakgate::webhook {
namespace {

using oakgate::test::Eventually;

class CountingRandom : public crypto::Random {
 public:
  std::string Bytes(size_t n) override {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(next_++);
    return s;
  }

 private:
  unsigned char next_ = 1;
};

class FixedRandom : public crypto::Random {
 public:
  explicit FixedRandom(char byte) : byte_(byte) {}
  std::string Bytes(size_t n) override { return std::string(n, byte_); }

 private:
  char byte_;
};

TEST(WebhookSignature, MatchesTheStandardWebhooksExample) {
  // The example of the Standard Webhooks specification (and its reference libraries' tests).
  auto key = SecretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key);
  EXPECT_EQ(Sign(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  EXPECT_FALSE(SecretKey("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")) << "the prefix is required";
  EXPECT_FALSE(SecretKey("whsec_not base64!"));
  CountingRandom random;
  std::string secret = NewSecret(random);
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u);
  EXPECT_EQ(SecretKey(secret)->size(), 24u);
}

TEST(WebhookSignature, DuringARotationBothSecretsSignSpaceSeparated) {
  auto headers = SignedHeaders("e1", 1700000000, "{}", {"new-key", "old-key"});
  std::map<std::string, std::string> h(headers.begin(), headers.end());
  EXPECT_EQ(h["webhook-id"], "msg_e1");
  EXPECT_EQ(h["webhook-timestamp"], "1700000000");
  EXPECT_EQ(h["webhook-signature"], Sign("new-key", "msg_e1", 1700000000, "{}") + " " +
                                        Sign("old-key", "msg_e1", 1700000000, "{}"));
}

TEST(SecretBox, OpensWhatItSealedUnderTheCurrentOrPreviousSecretAndNothingTampered) {
  CountingRandom random;
  crypto::SecretBox old_box({std::string(32, 'o')}, "purpose");
  std::string sealed = old_box.Seal("whsec_abc", random);
  EXPECT_EQ(sealed.find("whsec_abc"), std::string::npos) << "never in clear at rest";
  EXPECT_EQ(old_box.Open(sealed), "whsec_abc");
  crypto::SecretBox rotated({std::string(32, 'n'), std::string(32, 'o')}, "purpose");
  EXPECT_EQ(rotated.Open(sealed), "whsec_abc") << "the previous secret still opens";
  EXPECT_EQ(rotated.Open(rotated.Seal("x", random)), "x");
  crypto::SecretBox other({std::string(32, 'n')}, "purpose");
  EXPECT_FALSE(other.Open(sealed));
  crypto::SecretBox other_purpose({std::string(32, 'o')}, "another purpose");
  EXPECT_FALSE(other_purpose.Open(sealed));
  std::string tampered = sealed;
  tampered[14] ^= 1;
  EXPECT_FALSE(old_box.Open(tampered));
  EXPECT_FALSE(old_box.Open("short"));
}

TEST(WebhookAddresses, OnlyPublicUnicastAddressesAreAllowed) {
  struct Case {
    const char* address;
    bool allowed;
  };
  for (const Case& c : std::vector<Case>{{"93.184.216.34", true},
                                         {"8.8.8.8", true},
                                         {"127.0.0.1", false},
                                         {"127.255.0.9", false},
                                         {"10.1.2.3", false},
                                         {"172.16.0.1", false},
                                         {"172.31.255.255", false},
                                         {"172.32.0.1", true},
                                         {"192.168.1.1", false},
                                         {"169.254.169.254", false},
                                         {"100.64.0.1", false},
                                         {"0.0.0.0", false},
                                         {"224.0.0.1", false},
                                         {"255.255.255.255", false},
                                         {"2606:4700::1111", true},
                                         {"::1", false},
                                         {"::", false},
                                         {"fe80::1", false},
                                         {"fc00::1", false},
                                         {"fd12:3456::1", false},
                                         {"ff02::1", false},
                                         {"::ffff:127.0.0.1", false},
                                         {"::ffff:93.184.216.34", true},
                                         {"2002:7f00:1::1", false},
                                         {"2001:db8::1", false},
                                         {"not an address", false}}) {
    EXPECT_EQ(IsPublicAddressText(c.address), c.allowed) << c.address;
  }
}

TEST(WebhookAddresses, AnEndpointUrlMustBeHttpsToAPublicHostUnlessPrivateIsAllowed) {
  struct Case {
    const char* url;
    bool allowed;
    bool allowed_private;
  };
  for (const Case& c : std::vector<Case>{{"https://hooks.example.com/oakgate", true, true},
                                         {"https://hooks.example.com:8443/x?y=1", true, true},
                                         {"http://hooks.example.com/", false, true},
                                         {"ftp://hooks.example.com/", false, false},
                                         {"https://127.0.0.1/", false, true},
                                         {"https://[::1]:443/", false, true},
                                         {"https://10.0.0.8/hook", false, true},
                                         {"https://169.254.169.254/latest/meta-data", false, true},
                                         {"https://localhost/", false, true},
                                         {"https://api.localhost/", false, true},
                                         {"https://user:pass@hooks.example.com/", false, false},
                                         {"https://hooks.example.com/a b", false, false},
                                         {"https:///nohost", false, false},
                                         {"", false, false}}) {
    EXPECT_EQ(!CheckUrl(c.url, false), c.allowed) << c.url;
    EXPECT_EQ(!CheckUrl(c.url, true), c.allowed_private) << c.url << " (private allowed)";
  }
}

TEST(WebhookRetry, DelaysDoubleFromTheBaseWithinAQuarterEitherWayAndAreCapped) {
  SenderOptions o;
  o.retry_base_ms = 1000;
  o.retry_cap_ms = 60000;
  FixedRandom low('\0'), high('\xff');
  EXPECT_EQ(RetryDelayMs(1, o, low), 750);
  EXPECT_EQ(RetryDelayMs(2, o, low), 1500);
  EXPECT_EQ(RetryDelayMs(4, o, low), 6000);
  EXPECT_LT(RetryDelayMs(1, o, high), 1250);
  EXPECT_GT(RetryDelayMs(1, o, high), 1240);
  EXPECT_EQ(RetryDelayMs(40, o, low), 45000) << "capped";
}

// An outbox in memory: `due` is handed out once each; outcomes are recorded.
class FakeOutbox : public store::WebhookStore {
 public:
  store::WebhookEndpoint Create(const store::WebhookEndpoint& e,
                                const store::AuditEvent&) override {
    return e;
  }
  std::vector<store::WebhookEndpoint> List(std::string_view) override { return {}; }
  std::optional<store::WebhookEndpoint> Find(std::string_view, std::string_view) override {
    return std::nullopt;
  }
  bool Update(const store::WebhookEndpoint&, const store::AuditEvent&) override { return false; }
  bool Delete(std::string_view, std::string_view, const store::AuditEvent&) override {
    return false;
  }
  std::optional<store::WebhookEndpoint> RotateSecret(std::string_view, std::string_view,
                                                     const std::string&, int64_t,
                                                     const store::AuditEvent&) override {
    return std::nullopt;
  }
  std::vector<store::WebhookDelivery> ListDeliveries(std::string_view, std::string_view,
                                                     const std::optional<std::string>&,
                                                     int64_t) override {
    return {};
  }
  std::optional<store::WebhookDelivery> RetryDelivery(std::string_view, std::string_view,
                                                      std::string_view, int64_t,
                                                      const store::AuditEvent&) override {
    return std::nullopt;
  }
  std::vector<store::DueDelivery> Claim(int64_t, int64_t, int64_t limit,
                                        const std::vector<std::string>& busy) override {
    std::lock_guard lock(m);
    std::vector<store::DueDelivery> out;
    for (auto it = due.begin(); it != due.end() && static_cast<int64_t>(out.size()) < limit;) {
      if (std::find(busy.begin(), busy.end(), it->endpoint_id) != busy.end()) {
        ++it;
        continue;
      }
      out.push_back(*it);
      it = due.erase(it);
    }
    return out;
  }
  bool EndpointLive(std::string_view id) override { return id != "deleted"; }
  void Succeeded(const store::DueDelivery& d, int64_t, int64_t) override {
    std::lock_guard lock(m);
    succeeded.push_back(d.id);
  }
  void Failed(const store::DueDelivery& d, std::optional<int64_t> status, const std::string& error,
              std::optional<int64_t> next, int64_t, int64_t) override {
    std::lock_guard lock(m);
    failed.push_back({d.id, status, error, next});
  }
  void Release(const std::vector<std::string>& ids) override {
    std::lock_guard lock(m);
    released.insert(released.end(), ids.begin(), ids.end());
  }
  store::WebhookQueue Queue(int64_t) override { return {}; }

  struct Failure {
    std::string id;
    std::optional<int64_t> status;
    std::string error;
    std::optional<int64_t> next;
  };
  std::mutex m;
  std::vector<store::DueDelivery> due;
  std::vector<std::string> succeeded;
  std::vector<Failure> failed;
  std::vector<std::string> released;
};

// Answers what `answer` says per URL, and records the most concurrent posts per URL.
class FakeTransport : public Transport {
 public:
  PostResult Post(const std::string& url,
                  const std::vector<std::pair<std::string, std::string>>& headers,
                  const std::string&) override {
    {
      std::lock_guard lock(m);
      int now = ++in_flight[url];
      most[url] = std::max(most[url], now);
      for (const auto& [k, v] : headers) seen_headers[k] = v;
    }
    if (url == "https://slow.example/") std::this_thread::sleep_for(std::chrono::milliseconds(30));
    std::lock_guard lock(m);
    --in_flight[url];
    ++posts;
    if (url == "https://down.example/") return PostResult{500, "answered 500"};
    return PostResult{204, ""};
  }
  std::mutex m;
  std::map<std::string, int> in_flight, most;
  std::map<std::string, std::string> seen_headers;
  std::atomic<int> posts{0};
};

class StillClock : public util::Clock {
 public:
  int64_t NowSeconds() const override { return 1'800'000'000; }
  int64_t NowMillis() const override { return 1'800'000'000'000; }
  int64_t MonotonicMillis() const override { return 0; }
};

store::DueDelivery Due(std::string id, std::string endpoint, std::string url,
                       const std::string& sealed, int64_t created_ms = 1'800'000'000'000) {
  store::DueDelivery d;
  d.id = std::move(id);
  d.event_id = "ev-" + d.id;
  d.endpoint_id = std::move(endpoint);
  d.type = "decision.denied";
  d.payload = "{}";
  d.url = std::move(url);
  d.secret_sealed = sealed;
  d.created_ms = created_ms;
  return d;
}

// A sender's surroundings: fakes of the outbox and the transport, a clock that stands still,
// one sealed secret, and 2 deliveries at once per endpoint.
struct SenderRig {
  CountingRandom random;
  crypto::SecretBox box{{std::string(32, 's')}, "oakgate webhook secret v1"};
  const std::string sealed = box.Seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", random);
  FakeOutbox outbox;
  FakeTransport transport;
  StillClock clock;
  SenderOptions o = [] {
    SenderOptions o;
    o.workers = 6;
    o.per_endpoint = 2;
    o.poll = std::chrono::milliseconds(5);
    return o;
  }();
};

TEST(WebhookSender, SendsSignedRetriesFailuresGivesUpAfterTheWindowAndBoundsEachEndpoint) {
  SenderRig rig;
  // Named references, not a structured binding: clang 14 cannot capture one in a lambda.
  auto& random = rig.random;
  auto& box = rig.box;
  const auto& sealed = rig.sealed;
  auto& outbox = rig.outbox;
  auto& transport = rig.transport;
  auto& clock = rig.clock;
  auto& o = rig.o;
  for (int i = 0; i < 12; ++i) {
    outbox.due.push_back(Due("slow-" + std::to_string(i), "slow", "https://slow.example/", sealed));
  }
  outbox.due.push_back(Due("down-1", "down", "https://down.example/", sealed));
  outbox.due.push_back(
      Due("down-old", "down", "https://down.example/", sealed, 1'800'000'000'000 - 86'400'000));
  outbox.due.push_back(Due("gone", "deleted", "https://slow.example/", sealed));
  o.retry_base_ms = 1000;
  {
    Sender sender(outbox, box, clock, random, transport, o);
    ASSERT_TRUE(Eventually([&] {
      std::lock_guard lock(outbox.m);
      return outbox.succeeded.size() == 12 && outbox.failed.size() == 2;
    }));
  }
  EXPECT_LE(transport.most["https://slow.example/"], 2) << "at most 2 at once per endpoint";
  EXPECT_EQ(transport.posts.load(), 14) << "nothing sent to a deleted endpoint";
  for (const auto& f : outbox.failed) {
    EXPECT_EQ(f.status, 500);
    if (f.id == "down-1") {
      ASSERT_TRUE(f.next);
      EXPECT_GE(*f.next, clock.NowMillis() + 750);
      EXPECT_LE(*f.next, clock.NowMillis() + 1250);
    } else {
      EXPECT_FALSE(f.next) << "24 h after its event a delivery is failed for good";
    }
  }
  EXPECT_EQ(transport.seen_headers["webhook-id"].rfind("msg_ev-", 0), 0u);
  EXPECT_EQ(transport.seen_headers["webhook-timestamp"], "1800000000");
  EXPECT_EQ(transport.seen_headers["webhook-signature"].rfind("v1,", 0), 0u);
}

TEST(WebhookSender, AStoppingSenderReleasesWhatItClaimedAndNeverSent) {
  // A blue/green switch: what the stopping colour claimed beyond its endpoint's 2 at once must
  // be the other colour's at once, not after the lease (e2e: ABlueGreenSwitch...).
  SenderRig rig;
  // Named references, not a structured binding: clang 14 cannot capture one in a lambda.
  auto& random = rig.random;
  auto& box = rig.box;
  const auto& sealed = rig.sealed;
  auto& outbox = rig.outbox;
  auto& transport = rig.transport;
  auto& clock = rig.clock;
  auto& o = rig.o;
  for (int i = 0; i < 6; ++i) {
    outbox.due.push_back(Due("slow-" + std::to_string(i), "slow", "https://slow.example/", sealed));
  }
  {
    Sender sender(outbox, box, clock, random, transport, o);
    ASSERT_TRUE(Eventually([&] { return transport.posts.load() >= 1; }));
  }
  std::lock_guard lock(outbox.m);
  EXPECT_FALSE(outbox.released.empty()) << "6 claimed, 2 at a time: some were never sent";
  EXPECT_EQ(outbox.succeeded.size() + outbox.released.size() + outbox.due.size(), 6u)
      << "every delivery sent, released or never claimed";
  for (const auto& id : outbox.released) {
    EXPECT_EQ(std::find(outbox.succeeded.begin(), outbox.succeeded.end(), id),
              outbox.succeeded.end())
        << id << " was sent and released";
  }
}

}  // namespace
}  // namespace oakgate::webhook
