#pragma once
// The /dashboard pages (issue 9), server-rendered from templates/dashboard_*.html. Every
// query is scoped by the organization the visitor acts in (CONTRACT §9); another
// organization's id is a 404, and what the visitor's role may not do is not shown.
#include "gateway/handlers/dashboard/dashboard_common.hpp"

namespace oakgate::handlers::dashboard {

// summary.cpp
http::Response ShowSummary(DashboardContext& ctx, http::Request& req);
// agents.cpp: the list, creation, and one agent's page with its tools, rules and keys; a
// rule's own page, where it is changed
http::Response ShowAgents(DashboardContext& ctx, http::Request& req);
http::Response CreateAgent(DashboardContext& ctx, http::Request& req);
http::Response ShowAgent(DashboardContext& ctx, http::Request& req);
http::Response UpdateAgent(DashboardContext& ctx, http::Request& req);
http::Response DisableAgent(DashboardContext& ctx, http::Request& req);
http::Response CreateTool(DashboardContext& ctx, http::Request& req);
http::Response DeleteTool(DashboardContext& ctx, http::Request& req);
http::Response CreateRule(DashboardContext& ctx, http::Request& req);
http::Response ShowRule(DashboardContext& ctx, http::Request& req);
http::Response UpdateRule(DashboardContext& ctx, http::Request& req);
http::Response DeleteRule(DashboardContext& ctx, http::Request& req);
// keys.cpp
http::Response ShowKeys(DashboardContext& ctx, http::Request& req);
http::Response CreateKey(DashboardContext& ctx, http::Request& req);
http::Response RevokeKey(DashboardContext& ctx, http::Request& req);
http::Response RotateKey(DashboardContext& ctx, http::Request& req);
// The page a creation or rotation redirects to: the key once, then "shown once".
http::Response ShowCreatedKey(DashboardContext& ctx, http::Request& req);
// decisions.cpp
http::Response ShowDecisions(DashboardContext& ctx, http::Request& req);
http::Response ShowDecision(DashboardContext& ctx, http::Request& req);
// credentials.cpp
http::Response ShowCredentials(DashboardContext& ctx, http::Request& req);
http::Response EndSession(DashboardContext& ctx, http::Request& req);
http::Response RevokeGrant(DashboardContext& ctx, http::Request& req);
http::Response SignOutEverywhere(DashboardContext& ctx, http::Request& req);
// audit.cpp
http::Response ShowAudit(DashboardContext& ctx, http::Request& req);
// usage.cpp: the organization's month from the usage counters
http::Response ShowUsage(DashboardContext& ctx, http::Request& req);
// members.cpp: the header's organization switcher, the members page, a new organization
http::Response SwitchOrg(DashboardContext& ctx, http::Request& req);
http::Response ShowMembers(DashboardContext& ctx, http::Request& req);
http::Response SetMemberRole(DashboardContext& ctx, http::Request& req);
// Removes a member, or the visitor itself (leaving).
http::Response RemoveMember(DashboardContext& ctx, http::Request& req);
http::Response CreateOrg(DashboardContext& ctx, http::Request& req);
// Invitations on the members page: a new one's link is shown once on the page its POST
// redirects to.
http::Response CreateInvitation(DashboardContext& ctx, http::Request& req);
http::Response ShowCreatedInvitation(DashboardContext& ctx, http::Request& req);
http::Response RevokeInvitation(DashboardContext& ctx, http::Request& req);
// approvals.cpp: the inbox (pending first); owners and admins approve or deny with a comment
http::Response ShowApprovals(DashboardContext& ctx, http::Request& req);
http::Response ApproveApproval(DashboardContext& ctx, http::Request& req);
http::Response DenyApproval(DashboardContext& ctx, http::Request& req);
// webhooks.cpp: the organization's webhook endpoints; a new or rotated secret is shown once on
// the page its POST redirects to.
http::Response ShowWebhooks(DashboardContext& ctx, http::Request& req);
http::Response CreateWebhook(DashboardContext& ctx, http::Request& req);
http::Response EnableWebhook(DashboardContext& ctx, http::Request& req);
http::Response DisableWebhook(DashboardContext& ctx, http::Request& req);
http::Response DeleteWebhook(DashboardContext& ctx, http::Request& req);
http::Response RotateWebhook(DashboardContext& ctx, http::Request& req);
http::Response ShowCreatedWebhook(DashboardContext& ctx, http::Request& req);
// admin.cpp: admins only; 404 for everyone else
http::Response ShowUsers(DashboardContext& ctx, http::Request& req);
http::Response DisableUser(DashboardContext& ctx, http::Request& req);
http::Response ShowClients(DashboardContext& ctx, http::Request& req);
// static.cpp: the one script (copy buttons), same origin, inline; and the site's icon
http::Response DashboardScript(http::Request& req);
http::Response Favicon(http::Request& req);

}  // namespace oakgate::handlers::dashboard
