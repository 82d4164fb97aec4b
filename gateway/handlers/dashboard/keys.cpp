// /dashboard/keys: the user's API keys (prefix, scopes, created, expires, last used), creation
// with the full key shown once, revocation, and rotation with a grace period. Creation and
// rotation answer 303 to /dashboard/keys/{key_id}/created, which shows the key from the
// session's one-time slot (issue 29): reloading it never shows the key again nor makes another.
#include "gateway/apikey/key_format.hpp"
#include "gateway/handlers/api/api_common.hpp"
#include "gateway/handlers/api/api_keys.hpp"
#include "gateway/handlers/dashboard/pages.hpp"
#include "gateway/handlers/dashboard/reveal.hpp"
#include "gateway/http/form.hpp"

namespace oakgate::handlers::dashboard {
namespace {

http::Response RenderKeys(DashboardContext& ctx, const Visitor& v, int status,
                          nlohmann::json view) {
  std::map<std::string, std::string> agent_names;
  nlohmann::json agents = nlohmann::json::array();
  std::string selected = view.value("form_agent_id", "");
  for (const auto& a : ctx.db.Agents().List(v.session.user_id)) {
    agent_names[a.id] = a.name;
    agents.push_back({{"id", a.id}, {"name", a.name}, {"selected", a.id == selected}});
  }
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& k : ctx.db.ApiKeys().ListForUser(v.session.user_id)) {
    bool live = !k.revoked_at && !k.expired;
    keys.push_back({{"key_id", k.key_id},
                    {"name", k.name},
                    {"agent_id", k.agent_id},
                    {"agent", agent_names.count(k.agent_id) ? agent_names[k.agent_id] : ""},
                    {"scopes", k.scopes.empty() ? "(all of the agent's)" : JoinWords(k.scopes)},
                    {"created_at", Time(k.created_at)},
                    {"expires_at", TimeOr(k.expires_at, "never")},
                    {"last_used_at", TimeOr(k.last_used_at, "never")},
                    {"state", k.revoked_at ? "revoked"
                              : k.expired  ? "expired"
                                           : "active"},
                    {"live", live}});
  }
  view["agents"] = agents;
  view["keys"] = keys;
  view["has_keys"] = !keys.empty();
  return Page(ctx, v, status, "API keys", "keys", "dashboard_keys.html", view);
}

// The POST's answer once a key exists: the key goes into the session's one-time slot, sealed
// to the session cookie, and the browser is sent (303, no-store) to the page that shows it.
// Reloading that page, Back, or a restored tab then GETs it again and finds the slot empty.
http::Response RevealOnce(DashboardContext& ctx, const Visitor& v,
                          const apikey::IssuedKey& issued) {
  const std::string& key_id = issued.key.key_id;
  ctx.db.Sessions().PutReveal(v.session.id, key_id,
                              SealReveal(v.cookie, key_id, issued.plaintext.Reveal()));
  return SeeOther("/dashboard/keys/" + key_id + "/created");
}

}  // namespace

http::Response ShowKeys(DashboardContext& ctx, http::Request& req) {
  auto v = RequireVisitor(ctx, req);
  if (!v) return v.error();
  http::FormError error;
  auto query = http::ParseUrlEncoded(req.raw_query, &error);
  if (!query) return BadRequestPage(ctx, error.description);
  nlohmann::json view = {{"form_agent_id", query->Get("agent_id").value_or("")}};
  return RenderKeys(ctx, v.value(), 200, view);
}

http::Response CreateKey(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/keys");
  if (!post) return post.error();
  const Visitor& v = post.value().visitor;
  const auto& f = post.value().fields;
  std::string agent_id = f.Get("agent_id").value_or("");
  nlohmann::json o = {{"name", f.Get("name").value_or("")},
                      {"scopes", SplitWords(f.Get("scopes").value_or(""))}};
  if (!agent_id.empty()) o["agent_id"] = agent_id;
  std::string expires = f.Get("expires_in").value_or("");
  if (!expires.empty()) o["expires_in"] = NumberOrText(expires);
  nlohmann::json view = {{"form_agent_id", agent_id},
                         {"form_name", f.Get("name").value_or("")},
                         {"form_scopes", f.Get("scopes").value_or("")},
                         {"form_expires_in", expires}};
  apikey::IssueRequest issue;
  if (auto e = api::ReadKeyFields(o, issue)) {
    AddFormError(view, "create", FieldErrorOf(*e));
    return RenderKeys(ctx, v, kFormInvalid, view);
  }
  issue.user_id = v.session.user_id;
  issue.audit = DashboardAudit(v, req, "", "");
  auto issued = ctx.keys.Issue(issue);
  if (!issued) {
    // Another user's agent id is "no such agent", like the API's 404.
    AddFormError(view, "create", {"agent_id", "no such agent"});
    return RenderKeys(ctx, v, kFormInvalid, view);
  }
  return RevealOnce(ctx, v, issued.value());
}

http::Response RevokeKey(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/keys");
  if (!post) return post.error();
  std::string key_id = req.PathParam("key_id").value_or("");
  if (!apikey::IsKeyId(key_id) ||
      !ctx.keys.Revoke(post.value().visitor.session.user_id, key_id,
                       DashboardAudit(post.value().visitor, req, "", ""))) {
    return NotFoundPage(ctx);
  }
  return SeeOther("/dashboard/keys");
}

http::Response RotateKey(DashboardContext& ctx, http::Request& req) {
  auto post = RequireForm(ctx, req, "/dashboard/keys");
  if (!post) return post.error();
  const Visitor& v = post.value().visitor;
  std::string key_id = req.PathParam("key_id").value_or("");
  if (!apikey::IsKeyId(key_id)) return NotFoundPage(ctx);
  std::string grace_text = post.value().fields.Get("grace_seconds").value_or("0");
  auto grace = api::ParseGraceSeconds(grace_text.empty() ? "0" : grace_text);
  if (!grace) {
    nlohmann::json view;
    AddFormError(view, "rotate", {"grace_seconds", "grace_seconds must be between 0 and 2592000"});
    view["rotate_key_id"] = key_id;
    return RenderKeys(ctx, v, kFormInvalid, view);
  }
  auto rotated = ctx.keys.Rotate(v.session.user_id, key_id, *grace, DashboardAudit(v, req, "", ""));
  if (!rotated) {
    if (rotated.error() == apikey::KeyServiceError::kKeyRevoked) {
      nlohmann::json view;
      AddFormError(view, "rotate", {"grace_seconds", "a revoked key cannot be rotated"});
      view["rotate_key_id"] = key_id;
      return RenderKeys(ctx, v, kFormInvalid, view);
    }
    return NotFoundPage(ctx);
  }
  return RevealOnce(ctx, v, rotated.value());
}

http::Response ShowCreatedKey(DashboardContext& ctx, http::Request& req) {
  auto visitor = RequireVisitor(ctx, req);
  if (!visitor) return visitor.error();
  const Visitor& v = visitor.value();
  std::string key_id = req.PathParam("key_id").value_or("");
  if (!apikey::IsKeyId(key_id)) return NotFoundPage(ctx);
  auto key = ctx.db.ApiKeys().FindForUser(v.session.user_id, key_id);
  if (!key) return NotFoundPage(ctx);
  nlohmann::json view = {{"key_id", key->key_id},
                         {"name", key->name},
                         {"agent_id", key->agent_id},
                         {"expires_at", TimeOr(key->expires_at, "never")}};
  if (key->replaces) {
    auto old = ctx.db.ApiKeys().FindForUser(v.session.user_id, *key->replaces);
    view["replaces"] = *key->replaces;
    view["old_key_expires_at"] = old ? TimeOr(old->expires_at, "now") : "now";
  }
  // Taken, not read: the slot is empty from here on, whatever happens to this answer.
  auto sealed = ctx.db.Sessions().TakeReveal(v.session.id, key_id);
  std::optional<std::string> plaintext;
  if (sealed) plaintext = OpenReveal(v.cookie, key_id, *sealed);
  view["revealed"] = plaintext.has_value();
  if (plaintext) view["key"] = *plaintext;
  // Page() sends Cache-Control: no-store, so neither the browser's cache nor its history
  // keeps a copy; dashboard.js empties the field when the page is left, for the BFCache.
  return Page(ctx, v, 200, plaintext ? "Your new API key" : "API key created", "keys",
              "dashboard_key_created.html", view);
}

}  // namespace oakgate::handlers::dashboard
