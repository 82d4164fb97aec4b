// manage::WebhookService (CONTRACT §11) over an in-memory store: who may write, what is
// refused (url, events, description, the 20 endpoints), the secret sealed at rest and shown
// only by Create and RotateSecret, another organization's endpoints, and the audit events.
#include "gateway/manage/webhook_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "gateway/webhook/signature.hpp"

namespace oakgate::manage {
namespace {

class FakeWebhookStore : public store::WebhookStore {
 public:
  std::vector<store::WebhookEndpoint> endpoints;
  std::vector<store::WebhookDelivery> deliveries;  // with endpoint_id set
  std::vector<store::AuditEvent> audit;
  std::optional<std::string> last_before;
  int64_t last_limit = 0;
  int next_id = 1;

  std::string NewId() {
    char buf[40];
    snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", next_id++);
    return buf;
  }
  store::WebhookEndpoint* At(std::string_view org, std::string_view id) {
    for (auto& e : endpoints) {
      if (e.org_id == org && e.id == id) return &e;
    }
    return nullptr;
  }

  store::WebhookEndpoint Create(const store::WebhookEndpoint& endpoint,
                                const store::AuditEvent& e) override {
    store::WebhookEndpoint made = endpoint;
    made.id = NewId();
    made.created_at = 1'800'000'000;
    endpoints.push_back(made);
    audit.push_back(e);
    audit.back().subject = made.id;
    return made;
  }
  std::vector<store::WebhookEndpoint> List(std::string_view org_id) override {
    std::vector<store::WebhookEndpoint> out;
    for (const auto& e : endpoints) {
      if (e.org_id == org_id) out.push_back(e);
    }
    return out;
  }
  std::optional<store::WebhookEndpoint> Find(std::string_view org_id,
                                             std::string_view id) override {
    auto* e = At(org_id, id);
    return e ? std::optional(*e) : std::nullopt;
  }
  bool Update(const store::WebhookEndpoint& endpoint, const store::AuditEvent& e) override {
    auto* found = At(endpoint.org_id, endpoint.id);
    if (!found) return false;
    found->url = endpoint.url;
    found->description = endpoint.description;
    found->events = endpoint.events;
    found->enabled = endpoint.enabled;
    if (endpoint.enabled) found->disabled_reason.reset();
    audit.push_back(e);
    return true;
  }
  bool Delete(std::string_view org_id, std::string_view id, const store::AuditEvent& e) override {
    auto before = endpoints.size();
    endpoints.erase(std::remove_if(endpoints.begin(), endpoints.end(),
                                   [&](const auto& x) { return x.org_id == org_id && x.id == id; }),
                    endpoints.end());
    if (endpoints.size() == before) return false;
    audit.push_back(e);
    return true;
  }
  std::optional<store::WebhookEndpoint> RotateSecret(std::string_view org_id, std::string_view id,
                                                     const std::string& secret_sealed,
                                                     int64_t previous_until,
                                                     const store::AuditEvent& e) override {
    auto* found = At(org_id, id);
    if (!found) return std::nullopt;
    found->previous_sealed = found->secret_sealed;
    found->previous_until = previous_until;
    found->secret_sealed = secret_sealed;
    audit.push_back(e);
    return *found;
  }
  std::vector<store::WebhookDelivery> ListDeliveries(std::string_view org_id,
                                                     std::string_view endpoint_id,
                                                     const std::optional<std::string>& before,
                                                     int64_t limit) override {
    last_before = before;
    last_limit = limit;
    std::vector<store::WebhookDelivery> out;
    if (!At(org_id, endpoint_id)) return out;
    for (const auto& d : deliveries) {
      if (d.endpoint_id == endpoint_id && static_cast<int64_t>(out.size()) < limit) {
        out.push_back(d);
      }
    }
    return out;
  }
  std::optional<store::WebhookDelivery> RetryDelivery(std::string_view org_id,
                                                      std::string_view endpoint_id,
                                                      std::string_view delivery_id, int64_t now_ms,
                                                      const store::AuditEvent& e) override {
    if (!At(org_id, endpoint_id)) return std::nullopt;
    for (auto& d : deliveries) {
      if (d.endpoint_id == endpoint_id && d.id == delivery_id) {
        d.status = "pending";
        d.next_attempt_at = now_ms / 1000;
        audit.push_back(e);
        return d;
      }
    }
    return std::nullopt;
  }
  std::vector<store::DueDelivery> Claim(int64_t, int64_t, int64_t,
                                        const std::vector<std::string>&) override {
    return {};
  }
  bool EndpointLive(std::string_view) override { return false; }
  void Release(const std::vector<std::string>&) override {}
  void Succeeded(const store::DueDelivery&, int64_t, int64_t) override {}
  void Failed(const store::DueDelivery&, std::optional<int64_t>, const std::string&,
              std::optional<int64_t>, int64_t, int64_t) override {}
  store::WebhookQueue Queue(int64_t) override { return {}; }
};

class FixedClock : public util::Clock {
 public:
  int64_t now = 1'800'000'000;
  int64_t NowSeconds() const override { return now; }
};

Principal In(std::string org, store::Role role, std::string user = "u1") {
  Principal p;
  p.user_id = std::move(user);
  p.org_id = std::move(org);
  p.role = role;
  p.scopes = {"agents"};
  p.client_id = "cli-app";
  p.request_id = "req-1";
  return p;
}

WebhookInput Hook(std::string url = "https://hooks.example.com/in",
                  std::vector<std::string> events = {"decision.denied"}) {
  WebhookInput in;
  in.url = std::move(url);
  in.events = std::move(events);
  return in;
}

class WebhookServiceTest : public ::testing::Test {
 protected:
  FakeWebhookStore store;
  crypto::SecretBox box{{"a gateway secret of at least thirty-two characters"},
                        "oakgate webhook secret v1"};
  FixedClock clock;
  WebhookService service{store, box, crypto::SystemRandom::Instance(), clock, false};
  Principal owner = In("org-a", store::Role::kOwner);
  Principal admin = In("org-a", store::Role::kAdmin, "u2");
  Principal member = In("org-a", store::Role::kMember, "u3");
  Principal stranger = In("org-b", store::Role::kOwner, "u4");
};

TEST_F(WebhookServiceTest, TheSecretIsStoredSealedAndShownOnlyByCreate) {
  auto made = service.Create(owner, Hook());
  ASSERT_TRUE(made) << made.error().message;
  const std::string& secret = made.value().secret;
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u);
  EXPECT_TRUE(webhook::SecretKey(secret));
  ASSERT_EQ(store.endpoints.size(), 1u);
  // At rest only the sealed form, which the box opens to the secret shown.
  EXPECT_EQ(store.endpoints[0].secret_sealed.find(secret), std::string::npos);
  EXPECT_EQ(box.Open(store.endpoints[0].secret_sealed), secret);
  EXPECT_EQ(store.endpoints[0].org_id, "org-a");
  EXPECT_TRUE(store.endpoints[0].enabled);
  ASSERT_EQ(store.audit.size(), 1u);
  EXPECT_EQ(store.audit[0].type, "webhook.created");
  EXPECT_EQ(store.audit[0].details_json.find("whsec_"), std::string::npos);
}

TEST_F(WebhookServiceTest, MembersReadButOnlyOwnersAndAdminsWrite) {
  auto made = service.Create(admin, Hook());
  ASSERT_TRUE(made);
  std::string id = made.value().endpoint.id;
  EXPECT_EQ(service.Create(member, Hook()).error().kind, ErrorKind::kForbidden);
  EXPECT_TRUE(service.List(member));
  EXPECT_TRUE(service.Get(member, id));
  EXPECT_TRUE(service.Deliveries(member, id, std::nullopt, 10));
  WebhookInput off;
  off.enabled = false;
  EXPECT_EQ(service.Update(member, id, off).error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(service.Delete(member, id).error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(service.RotateSecret(member, id).error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(service.RetryDelivery(member, id, "00000000-0000-4000-8000-000000000099").error().kind,
            ErrorKind::kForbidden);
  EXPECT_TRUE(store.endpoints[0].enabled);
  EXPECT_EQ(store.audit.size(), 1u);
  EXPECT_TRUE(service.Update(owner, id, off));
  EXPECT_FALSE(store.endpoints[0].enabled);
}

TEST_F(WebhookServiceTest, AnotherOrganizationsEndpointIsNotFoundForEveryCall) {
  auto made = service.Create(owner, Hook());
  ASSERT_TRUE(made);
  std::string id = made.value().endpoint.id;
  WebhookInput off;
  off.enabled = false;
  EXPECT_EQ(service.Get(stranger, id).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(service.Update(stranger, id, off).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(service.Delete(stranger, id).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(service.RotateSecret(stranger, id).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(service.Deliveries(stranger, id, std::nullopt, 10).error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(service.List(stranger).value().empty());
  EXPECT_EQ(service.Get(owner, "not-a-uuid").error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(store.endpoints[0].enabled);
}

TEST_F(WebhookServiceTest, EveryBadFieldIsRefusedNamingIt) {
  auto field = [&](const WebhookInput& in) {
    auto out = service.Create(owner, in);
    return out ? std::string("created") : out.error().field;
  };
  WebhookInput no_url = Hook();
  no_url.url.reset();
  EXPECT_EQ(field(no_url), "url");
  WebhookInput no_events = Hook();
  no_events.events.reset();
  EXPECT_EQ(field(no_events), "events");
  EXPECT_EQ(field(Hook("http://hooks.example.com/in")), "url");
  EXPECT_EQ(field(Hook("https://127.0.0.1/in")), "url");
  EXPECT_EQ(field(Hook("https://10.0.0.1/in")), "url");
  EXPECT_EQ(field(Hook("https://localhost/in")), "url");
  EXPECT_EQ(field(Hook("https://[::1]/in")), "url");
  EXPECT_EQ(field(Hook("https://169.254.169.254/latest")), "url");
  EXPECT_EQ(field(Hook("https://user:pw@hooks.example.com/")), "url");
  EXPECT_EQ(field(Hook("https://hooks.example.com/in", {})), "events");
  EXPECT_EQ(field(Hook("https://hooks.example.com/in", {"decision.allowed"})), "events");
  EXPECT_EQ(field(Hook("https://hooks.example.com/in", {"quota.exceeded", "quota.exceeded"})),
            "events");
  WebhookInput long_text = Hook();
  long_text.description = std::string(501, 'd');
  EXPECT_EQ(field(long_text), "description");
  WebhookInput control = Hook();
  control.description = "line\nbreak";
  EXPECT_EQ(field(control), "description");
  EXPECT_TRUE(store.endpoints.empty());
  WebhookInput fine = Hook(
      "https://hooks.example.com/in",
      std::vector<std::string>(std::begin(store::kWebhookEvents), std::end(store::kWebhookEvents)));
  fine.description = std::string(500, 'd');
  EXPECT_EQ(field(fine), "created");
}

TEST_F(WebhookServiceTest, AnUpdateIsCheckedLikeACreateAndChangesNothingWhenRefused) {
  auto made = service.Create(owner, Hook());
  ASSERT_TRUE(made);
  std::string id = made.value().endpoint.id;
  WebhookInput bad;
  bad.url = "https://192.168.1.1/";
  bad.description = "new";
  auto out = service.Update(owner, id, bad);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().field, "url");
  EXPECT_EQ(store.endpoints[0].url, "https://hooks.example.com/in");
  EXPECT_EQ(store.endpoints[0].description, "");
  WebhookInput events;
  events.events = std::vector<std::string>{"api_key.created", "api_key.revoked"};
  auto changed = service.Update(admin, id, events);
  ASSERT_TRUE(changed);
  EXPECT_EQ(store.endpoints[0].events, *events.events);
  EXPECT_EQ(store.audit.back().type, "webhook.updated");
  EXPECT_EQ(store.audit.back().subject, id);
}

TEST_F(WebhookServiceTest, PrivateAddressesAndHttpAreAllowedOnlyWhenConfigured) {
  WebhookService open{store, box, crypto::SystemRandom::Instance(), clock, true};
  EXPECT_TRUE(open.Create(owner, Hook("http://127.0.0.1:8080/in")));
  EXPECT_TRUE(open.Create(owner, Hook("https://localhost/in")));
  EXPECT_FALSE(open.Create(owner, Hook("ftp://hooks.example.com/in")));
}

TEST_F(WebhookServiceTest, AnOrganizationHasAtMostTwentyEndpoints) {
  for (size_t i = 0; i < WebhookService::kMaxEndpoints; ++i) {
    ASSERT_TRUE(service.Create(owner, Hook()));
  }
  auto over = service.Create(owner, Hook());
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(store.endpoints.size(), WebhookService::kMaxEndpoints);
  // Another organization's count is its own.
  EXPECT_TRUE(service.Create(stranger, Hook()));
}

TEST_F(WebhookServiceTest, RotationShowsANewSecretAndKeepsTheOldOneFor24Hours) {
  auto made = service.Create(owner, Hook());
  ASSERT_TRUE(made);
  std::string id = made.value().endpoint.id;
  auto rotated = service.RotateSecret(admin, id);
  ASSERT_TRUE(rotated);
  EXPECT_NE(rotated.value().secret, made.value().secret);
  EXPECT_EQ(box.Open(store.endpoints[0].secret_sealed), rotated.value().secret);
  ASSERT_TRUE(store.endpoints[0].previous_sealed);
  EXPECT_EQ(box.Open(*store.endpoints[0].previous_sealed), made.value().secret);
  EXPECT_EQ(store.endpoints[0].previous_until, clock.now + 24 * 3600);
  EXPECT_EQ(store.audit.back().type, "webhook.secret_rotated");
  EXPECT_EQ(store.audit.back().details_json.find("whsec_"), std::string::npos);
}

TEST_F(WebhookServiceTest, DeliveriesPageWithACursorAndRetryIsAudited) {
  auto made = service.Create(owner, Hook());
  ASSERT_TRUE(made);
  std::string id = made.value().endpoint.id;
  for (int i = 0; i < 3; ++i) {
    store::WebhookDelivery d;
    d.id = store.NewId();
    d.endpoint_id = id;
    d.status = "failed";
    d.created_at = 1'800'000'000 - i;
    store.deliveries.push_back(d);
  }
  auto page = service.Deliveries(member, id, std::nullopt, 2);
  ASSERT_TRUE(page);
  EXPECT_EQ(page.value().data.size(), 2u);
  EXPECT_EQ(store.last_limit, 3);  // one more tells whether there is a next page
  ASSERT_TRUE(page.value().next_cursor);
  EXPECT_TRUE(service.Deliveries(member, id, page.value().next_cursor, 2));
  EXPECT_EQ(store.last_before, page.value().next_cursor);
  EXPECT_EQ(service.Deliveries(member, id, std::string("junk"), 2).error().field, "cursor");
  EXPECT_EQ(service.Deliveries(member, id, std::nullopt, 0).error().field, "limit");
  EXPECT_EQ(service.Deliveries(member, id, std::nullopt, 201).error().field, "limit");
  auto retried = service.RetryDelivery(owner, id, store.deliveries[1].id);
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried.value().status, "pending");
  EXPECT_EQ(store.audit.back().type, "webhook.delivery_retried");
  EXPECT_EQ(service.RetryDelivery(owner, id, "00000000-0000-4000-8000-000000000099").error().kind,
            ErrorKind::kNotFound);
}

TEST_F(WebhookServiceTest, DeletingRemovesTheEndpointAndIsAudited) {
  auto made = service.Create(owner, Hook());
  ASSERT_TRUE(made);
  std::string id = made.value().endpoint.id;
  EXPECT_TRUE(service.Delete(admin, id));
  EXPECT_TRUE(store.endpoints.empty());
  EXPECT_EQ(store.audit.back().type, "webhook.deleted");
  EXPECT_EQ(service.Delete(admin, id).error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace oakgate::manage
