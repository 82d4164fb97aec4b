// /dashboard/keys: the organization's API keys (prefix, scopes, created, expires, last used),
// creation with the full key shown once, revocation, and rotation with a grace period. Creation and
// rotation answer 303 to /dashboard/keys/{key_id}/created, which shows the key from the
// session's one-time slot (issue 29): reloading it never shows the key again nor makes another.
#include <set>

#include "gateway/handlers/dashboard/pages.hpp"
#include "gateway/handlers/dashboard/reveal.hpp"
#include "gateway/http/form.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::handlers::dashboard {
namespace {

http::Response RenderKeys(DashboardContext& ctx, const Visitor& v, const http::Request& req,
                          int status, nlohmann::json view) {
  manage::Principal who = Who(v, req);
  std::map<std::string, std::string> agent_names;
  // CONTRACT §9: owners and admins manage every key; a member only those of agents it made.
  std::set<std::string> manageable;
  nlohmann::json agents = nlohmann::json::array();
  std::string selected = view.value("form_agent_id", "");
  if (auto list = ctx.agents.List(who)) {
    for (const auto& a : list.value()) {
      agent_names[a.id] = a.name;
      if (!who.CanManage() && (a.created_by.empty() || a.created_by != who.user_id)) continue;
      manageable.insert(a.id);
      agents.push_back({{"id", a.id}, {"name", a.name}, {"selected", a.id == selected}});
    }
  }
  nlohmann::json keys = nlohmann::json::array();
  auto list = ctx.keys.List(who);
  for (const auto& k : list ? list.value() : std::vector<store::ApiKey>{}) {
    bool live = !k.revoked_at && !k.expired;
    keys.push_back(
        {{"key_id", k.key_id},
         {"name", k.name},
         {"agent_id", k.agent_id},
         {"agent", agent_names.count(k.agent_id) ? agent_names[k.agent_id] : ""},
         {"scopes", k.scopes.empty() ? "(all of the agent's)" : util::JoinList(k.scopes)},
         {"created_at", Time(k.created_at)},
         {"expires_at", TimeOr(k.expires_at, "never")},
         {"last_used_at", TimeOr(k.last_used_at, "never")},
         {"state", k.revoked_at ? "revoked"
                   : k.expired  ? "expired"
                                : "active"},
         {"live", live},
         {"actions", live && (who.CanManage() || manageable.count(k.agent_id) > 0)}});
  }
  view["agents"] = agents;
  // A member with no agent of its own has nothing to issue a key for.
  view["may_issue"] = who.CanManage() || !manageable.empty();
  view["keys"] = keys;
  view["has_keys"] = !keys.empty();
  return Page(ctx, v, status, "API keys", "keys", "dashboard_keys.html", view);
}

// The new key goes into the session's one-time slot, sealed to the session cookie, in the
// same transaction as the key itself (a failure leaves neither). The POST then sends the
// browser (303, no-store) to the page that shows it; reloading that page, Back, or a
// restored tab GETs it again and finds the slot empty.
manage::RevealSlot SlotFor(const Visitor& v) {
  return {v.session.id, [cookie = v.cookie](std::string_view key_id, std::string_view key) {
            return SealReveal(cookie, key_id, key);
          }};
}

http::Response ToReveal(const manage::IssuedKey& issued) {
  return SeeOther("/dashboard/keys/" + issued.key.key_id + "/created");
}

}  // namespace

http::Response ShowKeys(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  http::FormError error;
  auto query = http::ParseUrlEncoded(req.raw_query, &error);
  if (!query) return BadRequestPage(ctx, error.description);
  nlohmann::json view = {{"form_agent_id", query->Get("agent_id").value_or("")}};
  return RenderKeys(ctx, v.value(), req, 200, view);
}

http::Response CreateKey(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/keys");
  if (!post) return post.error();
  const Visitor& v = post.value().visitor;
  const auto& f = post.value().fields;
  std::string agent_id = f.Get("agent_id").value_or("");
  std::string expires = f.Get("expires_in").value_or("");
  nlohmann::json view = {{"form_agent_id", agent_id},
                         {"form_name", f.Get("name").value_or("")},
                         {"form_scopes", f.Get("scopes").value_or("")},
                         {"form_expires_in", expires}};
  manage::KeyInput input;
  input.name = f.Get("name").value_or("");
  if (!agent_id.empty()) input.agent_id = agent_id;
  input.scopes = util::SplitList(f.Get("scopes").value_or(""));
  std::optional<manage::DomainError> error;
  if (!expires.empty()) error = FormInt(expires, "expires_in", input.expires_in);
  if (!error) {
    auto issued = ctx.keys.Issue(Who(v, req), input, SlotFor(v));
    if (issued) return ToReveal(issued.value());
    error = issued.error();
  }
  // Another user's agent id is "no such agent", like the API's 404, next to the agent.
  AddFormError(view, "create", *error, "agent_id");
  return RenderKeys(ctx, v, req, kFormInvalid, view);
}

http::Response RevokeKey(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/keys");
  if (!post) return post.error();
  const Visitor& v = post.value().visitor;
  auto revoked = ctx.keys.Revoke(Who(v, req), req.PathParam("key_id").value_or(""));
  if (revoked) return SeeOther("/dashboard/keys");
  if (revoked.error().kind == manage::ErrorKind::kNotFound) return NotFoundPage(ctx);
  // A member's forged revocation of a key it may not manage: said, and nothing changed.
  nlohmann::json view;
  AddFormError(view, "revoke", revoked.error());
  return RenderKeys(ctx, v, req, kFormInvalid, view);
}

http::Response RotateKey(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/keys");
  if (!post) return post.error();
  const Visitor& v = post.value().visitor;
  std::string key_id = req.PathParam("key_id").value_or("");
  std::string grace_text = post.value().fields.Get("grace_seconds").value_or("");
  std::optional<int64_t> grace = 0;
  auto error = grace_text.empty() ? std::nullopt : FormInt(grace_text, "grace_seconds", grace);
  if (!error) {
    auto rotated = ctx.keys.Rotate(Who(v, req), key_id, *grace, SlotFor(v));
    if (rotated) return ToReveal(rotated.value());
    if (rotated.error().kind == manage::ErrorKind::kNotFound) return NotFoundPage(ctx);
    error = rotated.error();
  }
  nlohmann::json view;
  AddFormError(view, "rotate", *error, "grace_seconds");
  view["rotate_key_id"] = key_id;
  return RenderKeys(ctx, v, req, kFormInvalid, view);
}

http::Response ShowCreatedKey(DashboardContext& ctx, http::Request& req) {
  auto visitor = RequireVisitor(ctx, req);
  if (!visitor) return visitor.error();
  const Visitor& v = visitor.value();
  manage::Principal who = Who(v, req);
  auto found = ctx.keys.Get(who, req.PathParam("key_id").value_or(""));
  if (!found) return NotFoundPage(ctx);
  const store::ApiKey& key = found.value();
  nlohmann::json view = {{"key_id", key.key_id},
                         {"name", key.name},
                         {"agent_id", key.agent_id},
                         {"expires_at", TimeOr(key.expires_at, "never")}};
  if (key.replaces) {
    auto old = ctx.keys.Get(who, *key.replaces);
    view["replaces"] = *key.replaces;
    view["old_key_expires_at"] = old ? TimeOr(old.value().expires_at, "now") : "now";
  }
  // Taken, not read: the slot is empty from here on, whatever happens to this answer.
  auto sealed = ctx.credentials.TakeKeyReveal(who, v.session.id, key.key_id);
  std::optional<std::string> plaintext;
  if (sealed && sealed.value()) plaintext = OpenReveal(v.cookie, key.key_id, *sealed.value());
  view["revealed"] = plaintext.has_value();
  if (plaintext) view["key"] = *plaintext;
  // Page() sends Cache-Control: no-store, so neither the browser's cache nor its history
  // keeps a copy; dashboard.js empties the field when the page is left, for the BFCache.
  return Page(ctx, v, 200, plaintext ? "Your new API key" : "API key created", "keys",
              "dashboard_key_created.html", view);
}

}  // namespace oakgate::handlers::dashboard
