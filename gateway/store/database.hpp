#pragma once
// The stores of the calling thread's database connection. Each worker thread owns one
// connection; call these only from the worker pool. Failures of the database itself throw
// util::ServiceUnavailable.
#include "gateway/store/agent_store.hpp"
#include "gateway/store/api_key_store.hpp"
#include "gateway/store/approval_store.hpp"
#include "gateway/store/audit_store.hpp"
#include "gateway/store/client_store.hpp"
#include "gateway/store/consent_store.hpp"
#include "gateway/store/decision_store.hpp"
#include "gateway/store/invitation_store.hpp"
#include "gateway/store/maintenance_store.hpp"
#include "gateway/store/org_store.hpp"
#include "gateway/store/rate_bucket_store.hpp"
#include "gateway/store/registration_store.hpp"
#include "gateway/store/resource_store.hpp"
#include "gateway/store/session_store.hpp"
#include "gateway/store/token_store.hpp"
#include "gateway/store/usage_store.hpp"
#include "gateway/store/user_store.hpp"
#include "gateway/store/webhook_store.hpp"

namespace oakgate::store {

class Database {
 public:
  virtual ~Database() = default;
  virtual UserStore& Users() = 0;
  virtual ClientStore& Clients() = 0;
  virtual SessionStore& Sessions() = 0;
  virtual ThrottleStore& Throttle() = 0;
  virtual TokenStore& Tokens() = 0;
  virtual MaintenanceStore& Maintenance() = 0;
  virtual AgentStore& Agents() = 0;
  virtual OrgStore& Orgs() = 0;
  virtual ApiKeyStore& ApiKeys() = 0;
  virtual DecisionStore& Decisions() = 0;
  virtual ConsentStore& Consents() = 0;
  virtual AuditStore& Audit() = 0;
  virtual ResourceStore& Resources() = 0;
  virtual RegistrationStore& Registrations() = 0;
  virtual RateBucketStore& RateBuckets() = 0;
  virtual UsageStore& Usage() = 0;
  virtual InvitationStore& Invitations() = 0;
  virtual ApprovalStore& Approvals() = 0;
  virtual WebhookStore& Webhooks() = 0;
  // True when the database answers and every migration this binary knows is applied.
  virtual bool Ready() = 0;
};

}  // namespace oakgate::store
