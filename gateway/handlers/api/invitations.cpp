#include "gateway/handlers/api/invitations.hpp"

namespace oakgate::handlers::api {
namespace {

std::string OrgParam(const http::Request& req) { return req.PathParam("org").value_or(""); }

// pending, accepted, revoked or expired, as of the list's answer.
std::string Status(const store::Invitation& i, int64_t now) {
  if (i.accepted_at) return "accepted";
  if (i.revoked_at) return "revoked";
  return i.expires_at > now ? "pending" : "expired";
}

}  // namespace

http::Response CreateInvitation(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto body = ParseObject(req);
  if (!body) return body.error();
  manage::InvitationInput in;
  auto read = Fields(body.value(), {"email", "role"})
                  .String("email", in.email)
                  .String("role", in.role)
                  .error();
  if (read) return Render(*read);
  return Answer(ctx.invitations.Create(who, OrgParam(req), in), 201,
                [](const manage::CreatedInvitation& c) {
                  const store::Invitation& i = c.invitation;
                  return nlohmann::json{{"id", i.id},
                                        {"email", i.email},
                                        {"role", store::RoleName(i.role)},
                                        {"expires_at", TimeOrNull(i.expires_at)},
                                        {"invite_url", c.invite_url}};
                });
}

http::Response ListInvitations(ApiContext& ctx, const Principal& who, http::Request& req) {
  int64_t now = ctx.invitations.Now();
  return AnswerList(ctx.invitations.List(who, OrgParam(req)), [now](const store::Invitation& i) {
    return nlohmann::json{{"id", i.id},
                          {"email", i.email},
                          {"role", store::RoleName(i.role)},
                          {"status", Status(i, now)},
                          {"invited_by", i.invited_by.empty() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(i.invited_by)},
                          {"created_at", TimeOrNull(i.created_at)},
                          {"expires_at", TimeOrNull(i.expires_at)}};
  });
}

http::Response RevokeInvitation(ApiContext& ctx, const Principal& who, http::Request& req) {
  return NoContent(
      ctx.invitations.Revoke(who, OrgParam(req), req.PathParam("invitation_id").value_or("")));
}

}  // namespace oakgate::handlers::api
