#pragma once
// In-memory fakes of the stores the OAuth services use, for unit tests (no sockets, no clock).
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "gateway/store/database.hpp"
#include "gateway/util/clock.hpp"
#include "gateway/util/errors.hpp"
#include "tests/unit/unused_token_store.hpp"

namespace oakgate::oauth::testing {

using ::oakgate::testing::Unused;

class FakeClientStore : public store::ClientStore {
 public:
  std::map<std::string, store::Client> clients;
  bool Create(const store::Client& c, const store::AuditEvent&) override {
    return clients.emplace(c.id, c).second;
  }
  std::optional<store::Client> Find(std::string_view id) override {
    auto it = clients.find(std::string(id));
    if (it == clients.end()) return std::nullopt;
    return it->second;
  }
  std::vector<store::Client> List() override { throw Unused(); }
  bool Delete(std::string_view, const store::AuditEvent&) override { throw Unused(); }
  bool Update(const store::Client&, const store::AuditEvent&) override { throw Unused(); }
  bool RotateSecret(std::string_view, std::string_view, int64_t,
                    const store::AuditEvent&) override {
    throw Unused();
  }
};

class FakeThrottleStore : public store::ThrottleStore {
 public:
  std::vector<std::pair<std::string, std::string>> failures;  // (client, address)
  bool TryLoginAttempt(std::string_view, std::string_view, int64_t,
                       const store::AdmitLogin&) override {
    throw Unused();
  }
  void ClearLoginFailures(std::string_view, std::string_view) override { throw Unused(); }
  store::ClientAuthFailureCounts CountClientAuthFailures(std::string_view client,
                                                         std::string_view address,
                                                         int64_t) override {
    store::ClientAuthFailureCounts c;
    for (const auto& [cl, ad] : failures) {
      c.client += cl == client;
      c.address += ad == address;
    }
    c.client_retry = c.address_retry = 42;
    return c;
  }
  void RecordClientAuthFailure(std::string_view client, std::string_view address) override {
    failures.emplace_back(client, address);
  }
  // The id of an attempt is its index in `failures`; a forgotten one is emptied.
  std::optional<int64_t> TryClientAuthAttempt(std::string_view client, std::string_view address,
                                              int64_t window,
                                              const store::AdmitClientAuth& admit) override {
    if (!admit(CountClientAuthFailures(client, address, window))) return std::nullopt;
    failures.emplace_back(client, address);
    return static_cast<int64_t>(failures.size() - 1);
  }
  void ForgetClientAuthAttempt(int64_t id) override { failures.at(id) = {}; }
};

class FakeAuditStore : public store::AuditStore {
 public:
  std::vector<store::AuditEvent> events;
  void Record(const store::AuditEvent& e) override { events.push_back(e); }
  std::vector<store::AuditRecord> List(const store::AuditQuery&) override { return {}; }
  std::vector<store::AuditLink> ChainAfter(int64_t, int64_t) override { throw Unused(); }
  std::optional<store::AuditChainHead> ChainHead() override { throw Unused(); }
};

// What CommitResolved and the TokenWriter need: whether an access token hash is stored,
// and storing client_credentials tokens.
class FakeTokenStore : public ::oakgate::testing::UnusedTokenStore {
 public:
  std::function<bool(std::string_view)> stored = [](std::string_view) { return false; };
  std::function<std::vector<store::Issued>(const std::vector<store::ClientCredentialsIssue>&)>
      issue;  // unset: IssueClientCredentials is not used
  int lookups = 0;
  bool AccessTokenStored(std::string_view hash) override {
    ++lookups;
    return stored(hash);
  }
  std::vector<store::Issued> IssueClientCredentials(
      const std::vector<store::ClientCredentialsIssue>& batch) override {
    if (!issue) throw Unused();
    return issue(batch);
  }
};

class FakeDatabase : public store::Database {
 public:
  FakeClientStore clients;
  FakeThrottleStore throttle;
  FakeAuditStore audit;
  FakeTokenStore tokens;
  store::UserStore& Users() override { throw Unused(); }
  store::ClientStore& Clients() override { return clients; }
  store::SessionStore& Sessions() override { throw Unused(); }
  store::ThrottleStore& Throttle() override { return throttle; }
  store::TokenStore& Tokens() override { return tokens; }
  store::ConsentStore& Consents() override { throw Unused(); }
  store::AuditStore& Audit() override { return audit; }
  store::MaintenanceStore& Maintenance() override { throw Unused(); }
  store::AgentStore& Agents() override { throw Unused(); }
  store::OrgStore& Orgs() override { throw Unused(); }
  store::ApiKeyStore& ApiKeys() override { throw Unused(); }
  store::DecisionStore& Decisions() override { throw Unused(); }
  store::ResourceStore& Resources() override { throw Unused(); }
  store::RegistrationStore& Registrations() override { throw Unused(); }
  store::RateBucketStore& RateBuckets() override { throw Unused(); }
  store::UsageStore& Usage() override { throw Unused(); }
  store::InvitationStore& Invitations() override { throw Unused(); }
  store::ApprovalStore& Approvals() override { throw Unused(); }
  store::WebhookStore& Webhooks() override { throw Unused(); }
  bool Ready() override { return true; }
};

class FixedClock : public util::Clock {
 public:
  int64_t now = 1'800'000'000;
  int64_t NowSeconds() const override { return now; }
};

}  // namespace oakgate::oauth::testing
