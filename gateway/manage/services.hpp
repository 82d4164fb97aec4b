#pragma once
// The management services over one database's stores, built once by the application and
// shared by the API, the dashboard and the command line.
#include "gateway/manage/activity_service.hpp"
#include "gateway/manage/admin_service.hpp"
#include "gateway/manage/agent_service.hpp"
#include "gateway/manage/approval_service.hpp"
#include "gateway/manage/credential_service.hpp"
#include "gateway/manage/key_service.hpp"
#include "gateway/manage/org_service.hpp"
#include "gateway/manage/rule_service.hpp"
#include "gateway/manage/tool_service.hpp"
#include "gateway/manage/usage_service.hpp"
#include "gateway/manage/webhook_service.hpp"
#include "gateway/store/database.hpp"

namespace oakgate::manage {

struct Services {
  // `webhook_box` seals webhooks' signing secrets (purpose "oakgate webhook secret v1", keys
  // from `secret` then `secret_previous`); it outlives the services.
  // `webhook_allow_private`: the setting webhook_allow_private (CONTRACT §11).
  Services(store::Database& db, const crypto::SecretBox& webhook_box, bool webhook_allow_private,
           const util::Clock& clock = util::SystemClock::Instance(),
           crypto::Random& random = crypto::SystemRandom::Instance())
      : agents(db.Agents()),
        tools(db.Agents()),
        rules(db.Agents()),
        keys(db.Agents(), db.ApiKeys()),
        activity(db.Decisions(), db.Audit()),
        credentials(db.Sessions(), db.Tokens(), db.Users()),
        admin(db.Users(), db.Clients()),
        orgs(db.Orgs()),
        usage(db.Usage(), clock),
        approvals(db.Approvals(), clock),
        webhooks(db.Webhooks(), webhook_box, random, clock, webhook_allow_private) {}
  AgentService agents;
  ToolService tools;
  RuleService rules;
  KeyService keys;
  ActivityService activity;
  CredentialService credentials;
  AdminService admin;
  OrgService orgs;
  UsageService usage;
  ApprovalService approvals;
  WebhookService webhooks;
};

}  // namespace oakgate::manage
