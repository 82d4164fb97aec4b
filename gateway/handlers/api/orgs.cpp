#include "gateway/handlers/api/orgs.hpp"

namespace oakgate::handlers::api {
namespace {

nlohmann::json LimitOrNull(const std::optional<int64_t>& v) {
  if (!v) return nullptr;
  return *v;
}

nlohmann::json MembershipJson(const store::Membership& m) {
  nlohmann::json j = OrgJson(m.org);
  j["role"] = store::RoleName(m.role);
  return j;
}

nlohmann::json MemberJson(const store::Member& m) {
  return {{"user_id", m.user_id},
          {"email", m.email},
          {"role", store::RoleName(m.role)},
          {"joined_at", TimeOrNull(m.joined_at)}};
}

manage::Outcome<manage::OrgInput> ReadOrg(const nlohmann::json& o) {
  manage::OrgInput in;
  return Fields(o, {"name", "slug"}).String("name", in.name).String("slug", in.slug).Into(in);
}

std::string PathOrg(const http::Request& req) {
  return std::string(req.PathParam("org").value_or(""));
}

}  // namespace

// Plans are the operator's limits (`oakgate org set-limits`); null is unlimited.
nlohmann::json OrgJson(const store::Organization& o) {
  return {{"id", o.id},
          {"name", o.name},
          {"slug", o.slug},
          {"personal", o.personal},
          {"plan",
           {{"max_agents", LimitOrNull(o.max_agents)},
            {"monthly_decisions", LimitOrNull(o.monthly_decisions)}}},
          {"created_at", TimeOrNull(o.created_at)}};
}

http::Response ListOrgs(ApiContext& ctx, const Principal& who, http::Request&) {
  return AnswerList(ctx.orgs.List(who), MembershipJson);
}

http::Response CreateOrg(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto body = ParseObject(req);
  if (!body) return body.error();
  auto input = ReadOrg(body.value());
  if (!input) return Render(input.error());
  auto created = ctx.orgs.Create(who, input.value());
  return Answer(created, 201, [](const store::Organization& o) {
    return MembershipJson(store::Membership{o, store::Role::kOwner});
  });
}

http::Response GetOrg(ApiContext& ctx, const Principal& who, http::Request& req) {
  return Answer(ctx.orgs.Get(who, PathOrg(req)), 200, MembershipJson);
}

http::Response PatchOrg(ApiContext& ctx, const Principal& who, http::Request& req) {
  // The organization first: a stranger's is 404 whatever the body holds.
  auto org = ctx.orgs.Get(who, PathOrg(req));
  if (!org) return Render(org.error());
  auto body = ParseObject(req);
  if (!body) return body.error();
  auto input = ReadOrg(body.value());
  if (!input) return Render(input.error());
  auto updated = ctx.orgs.Update(who, org.value().org.id, input.value());
  return Answer(updated, 200, [&](const store::Organization& o) {
    return MembershipJson(store::Membership{o, org.value().role});
  });
}

http::Response DeleteOrg(ApiContext& ctx, const Principal& who, http::Request& req) {
  return NoContent(ctx.orgs.Delete(who, PathOrg(req)));
}

http::Response ListMembers(ApiContext& ctx, const Principal& who, http::Request& req) {
  return AnswerList(ctx.orgs.Members(who, PathOrg(req)), MemberJson);
}

http::Response PatchMember(ApiContext& ctx, const Principal& who, http::Request& req) {
  auto org = ctx.orgs.Get(who, PathOrg(req));
  if (!org) return Render(org.error());
  auto body = ParseObject(req);
  if (!body) return body.error();
  std::optional<std::string> role;
  Fields fields(body.value(), {"role"});
  fields.String("role", role);
  if (fields.error()) return Render(*fields.error());
  if (!role) return BadField("role", "role is required");
  auto user_id = req.PathParam("user_id").value_or("");
  auto changed = ctx.orgs.SetRole(who, org.value().org.id, user_id, *role);
  if (!changed) return Render(changed.error());
  auto members = ctx.orgs.Members(who, org.value().org.id);
  if (members) {
    for (const auto& m : members.value()) {
      if (m.user_id == user_id) return Json(200, MemberJson(m));
    }
  }
  return http::Response::Empty(204);
}

http::Response RemoveMember(ApiContext& ctx, const Principal& who, http::Request& req) {
  return NoContent(ctx.orgs.RemoveMember(who, PathOrg(req), req.PathParam("user_id").value_or("")));
}

}  // namespace oakgate::handlers::api
