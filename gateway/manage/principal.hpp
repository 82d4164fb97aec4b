#pragma once
// Who is acting on the management services: the user, how they authenticated, what they may
// do, and where the request came from (for the audit event written with each change).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/audit_event.hpp"
#include "gateway/store/org_store.hpp"

namespace oakgate::manage {

// The scopes of CONTRACT §4 "Scopes" that belong to the gateway itself: `keys` manages the
// user's API keys, `agents` their agents, tools and rules and reads their decisions.
inline constexpr std::string_view kKeysScope = "keys";
inline constexpr std::string_view kAgentsScope = "agents";

enum class AuthMethod {
  kAccessToken,  // the management API: an OAuth access token (RFC 6750 bearer)
  kSession,      // the dashboard: the browser session, which holds every gateway scope
  kOperator,     // `oakgate` on the command line, acting for a user it named
};

struct Principal {
  std::string user_id;
  AuthMethod method = AuthMethod::kAccessToken;
  std::string client_id;            // kAccessToken: the OAuth client the token was issued to
  std::vector<std::string> scopes;  // what the credential allows
  // users.is_admin of a dashboard session: the administrators' pages (AdminService).
  bool is_admin = false;
  // The organization it acts in and its role there (CONTRACT §9), set by
  // OrgService::Enter from the request's `OakGate-Organization` (else the personal one).
  std::string org_id;
  store::Role role = store::Role::kMember;
  // Where the request came from, for the audit log.
  std::string client_address;
  std::string request_id;

  bool HasScope(std::string_view scope) const;
  // Owners and admins manage agents, tools, rules, keys, webhooks, approvals, invitations.
  bool CanManage() const { return role == store::Role::kOwner || role == store::Role::kAdmin; }
  bool IsOwner() const { return role == store::Role::kOwner; }
  // The audit log's `actor`: "user:<id> client:<client>", "user:<id> dashboard" or "cli".
  std::string Actor() const;
  // An audit event by this principal, written with the change it describes.
  store::AuditEvent Audit(std::string type, std::string subject,
                          std::string details_json = "{}") const;
};

// A principal of the dashboard: the signed-in user with every gateway scope.
Principal SessionPrincipal(std::string user_id, std::string client_address, std::string request_id);
// The operator's command line acting for `user_id`.
Principal OperatorPrincipal(std::string user_id);

}  // namespace oakgate::manage
