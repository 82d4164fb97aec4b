#include <algorithm>

#include "gateway/cli/commands.hpp"
#include "gateway/crypto/random.hpp"
#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/grants/grant_types.hpp"
#include "gateway/oauth/redirect_uri.hpp"
#include "gateway/store/pg/pg_database.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::cli {
namespace {

struct ClientArgs {
  std::string id;
  std::string name;
  std::vector<std::string> redirect_uris;
  bool confidential = false;
  bool first_party = false;
  bool introspect = false;
  bool require_resource = false;
  std::string require_resource_value;
  std::string scopes;
  std::string grant_types;
  std::string first_party_value;
  std::string introspect_value;
  long long grace = 0;
};

std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  for (auto& w : util::SplitList(s)) {
    if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(std::move(w));
  }
  return out;
}

void CheckClientId(const std::string& id) {
  bool ok = !id.empty() && id.size() <= 200;
  for (char c : id) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.' || c == '~');
  }
  if (!ok) throw CommandError(kExitUsage, "--id must be 1-200 characters of [A-Za-z0-9._~-]");
}

void CheckScopes(const std::vector<std::string>& scopes) {
  for (const auto& s : scopes) {
    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    for (unsigned char c : s) {
      if (c < 0x21 || c == 0x22 || c == 0x5C || c > 0x7E) {
        throw CommandError(kExitUsage, "invalid scope: " + s);
      }
    }
  }
}

void CheckRedirectUris(const std::vector<std::string>& uris) {
  for (const auto& uri : uris) {
    size_t scheme_end = uri.find("://");
    bool ok = scheme_end != std::string::npos && scheme_end > 0 && uri.size() <= 2000 &&
              uri.find('#') == std::string::npos && uri.size() > scheme_end + 3;
    for (unsigned char c : uri) ok = ok && c > 0x20 && c < 0x7F;
    // RFC 6749 §3.1.2: an absolute URI without a fragment.
    if (!ok) throw CommandError(kExitUsage, "invalid redirect URI: " + uri);
    // RFC 9700 §2.6: no http redirect URI except a loopback one (RFC 8252 §7.3).
    std::string scheme = util::ToLower(uri.substr(0, scheme_end));
    if (scheme == "http" && !oauth::IsLoopbackRedirect(uri)) {
      throw CommandError(kExitUsage,
                         "an http redirect URI must be a loopback one (127.0.0.1, [::1] or "
                         "localhost): " +
                             uri);
    }
  }
}

void CheckGrants(const store::Client& c) {
  // The grant table (oauth/grants/grant_types.hpp) knows each grant's needs.
  std::vector<const oauth::grants::GrantType*> grants;
  for (const auto& g : c.grant_types) {
    grants.push_back(oauth::grants::FindGrantType(g));
    if (!grants.back()) throw CommandError(kExitUsage, "unknown grant type: " + g);
  }
  for (const auto* g : grants) {
    if (g->needs_redirect_uri && c.redirect_uris.empty()) {
      throw CommandError(kExitUsage,
                         "--redirect-uri is required with the " + std::string(g->name) + " grant");
    }
  }
  for (const auto* g : grants) {
    if (g->confidential_only && !c.confidential) {
      throw CommandError(kExitUsage, std::string(g->name) + " is only for --confidential clients");
    }
  }
  if (c.can_introspect && !c.confidential) {
    throw CommandError(kExitUsage, "--introspect is only for --confidential clients");
  }
}

nlohmann::json ToJson(const store::Client& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"confidential", c.confidential},
          {"first_party", c.first_party},
          {"introspect", c.can_introspect},
          {"require_resource", c.requires_resource},
          {"registered", c.registered},
          {"redirect_uris", c.redirect_uris},
          {"scopes", c.scopes},
          {"grant_types", c.grant_types}};
}

bool ParseBool(const std::string& flag, const std::string& v) {
  std::string t = util::ToLower(v);
  if (t == "true" || t == "1" || t == "yes") return true;
  if (t == "false" || t == "0" || t == "no") return false;
  throw CommandError(kExitUsage, flag + " expects true or false");
}

}  // namespace

void RegisterClient(CLI::App& app, GlobalFlags& flags, Action& action) {
  static ClientArgs a;
  auto* client = app.add_subcommand("client", "Manage OAuth clients");
  client->require_subcommand(1);

  auto* create = client->add_subcommand("create", "Register a client; prints it as JSON");
  create->add_option("--id", a.id, "client_id")->required();
  create->add_option("--name", a.name, "Display name")->required();
  create->add_option("--redirect-uri", a.redirect_uris, "Redirect URI (repeatable)");
  create->add_flag("--confidential", a.confidential, "A confidential client (gets a secret)");
  create->add_flag("--first-party", a.first_party, "Skip the consent page");
  create->add_option("--scopes", a.scopes, "Space-separated scopes it may be granted");
  create->add_option("--grant-types", a.grant_types,
                     "Space-separated grant types (default: authorization_code refresh_token)");
  create->add_flag("--introspect", a.introspect, "May call /oauth/introspect (confidential)");
  create->add_flag("--require-resource", a.require_resource,
                   "Authorization must name a resource (RFC 8707)");
  create->callback([&flags, &action] {
    action = [&flags] {
      CheckClientId(a.id);
      store::Client c;
      c.id = a.id;
      c.name = a.name;
      c.redirect_uris = a.redirect_uris;
      c.confidential = a.confidential;
      c.first_party = a.first_party;
      c.can_introspect = a.introspect;
      c.requires_resource = a.require_resource;
      c.scopes = Words(a.scopes);
      c.grant_types =
          Words(a.grant_types.empty() ? "authorization_code refresh_token" : a.grant_types);
      if (a.name.empty() || a.name.size() > 200 || !util::IsValidUtf8(a.name)) {
        throw CommandError(kExitUsage, "--name must be 1-200 characters of UTF-8");
      }
      CheckScopes(c.scopes);
      CheckRedirectUris(c.redirect_uris);
      CheckGrants(c);
      std::string secret;
      if (c.confidential) {
        secret = crypto::RandomToken(32);  // 256 random bits, shown this once
        c.secret_hash = crypto::ToBytes(crypto::Sha256(secret));
      }
      auto db = OpenDatabase(flags);
      nlohmann::json details = {{"confidential", c.confidential},
                                {"scope", util::JoinList(c.scopes)},
                                {"grant_types", util::JoinList(c.grant_types)},
                                {"redirect_uris", c.redirect_uris}};
      if (!db->Clients().Create(c, CliEvent("client.created", "", c.id, details))) {
        throw CommandError(kExitFailure, "client id already exists");
      }
      auto out = ToJson(c);
      if (c.confidential) out["client_secret"] = secret;
      PrintJson(out);
      return kExitOk;
    };
  });

  auto* list = client->add_subcommand("list", "List clients as a JSON array (no secrets)");
  list->callback([&flags, &action] {
    action = [&flags] {
      auto db = OpenDatabase(flags);
      nlohmann::json out = nlohmann::json::array();
      for (const auto& c : db->Clients().List()) out.push_back(ToJson(c));
      PrintJson(out);
      return kExitOk;
    };
  });

  auto* del = client->add_subcommand("delete", "Delete a client, its tokens and consents");
  del->add_option("--id", a.id, "client_id")->required();
  del->callback([&flags, &action] {
    action = [&flags] {
      auto db = OpenDatabase(flags);
      if (!db->Clients().Delete(a.id, CliEvent("client.deleted", "", a.id))) {
        throw CommandError(kExitFailure, "no such client");
      }
      PrintJson({{"id", a.id}, {"deleted", true}});
      return kExitOk;
    };
  });

  auto* update = client->add_subcommand("update", "Change a client");
  update->add_option("--id", a.id, "client_id")->required();
  update->add_option("--name", a.name, "Display name");
  update->add_option("--redirect-uri", a.redirect_uris, "Redirect URIs (replace the list)");
  update->add_option("--scopes", a.scopes, "Space-separated scopes");
  update->add_option("--grant-types", a.grant_types, "Space-separated grant types");
  update->add_option("--first-party", a.first_party_value, "true or false");
  update->add_option("--introspect", a.introspect_value, "true or false");
  update->add_option("--require-resource", a.require_resource_value, "true or false");
  update->callback([&flags, &action, update] {
    action = [&flags, update] {
      auto db = OpenDatabase(flags);
      auto existing = db->Clients().Find(a.id);
      if (!existing) throw CommandError(kExitFailure, "no such client");
      store::Client c = *existing;
      if (update->count("--name")) c.name = a.name;
      if (update->count("--redirect-uri")) c.redirect_uris = a.redirect_uris;
      if (update->count("--scopes")) c.scopes = Words(a.scopes);
      if (update->count("--grant-types")) c.grant_types = Words(a.grant_types);
      if (update->count("--first-party"))
        c.first_party = ParseBool("--first-party", a.first_party_value);
      if (update->count("--introspect"))
        c.can_introspect = ParseBool("--introspect", a.introspect_value);
      if (update->count("--require-resource"))
        c.requires_resource = ParseBool("--require-resource", a.require_resource_value);
      CheckScopes(c.scopes);
      CheckRedirectUris(c.redirect_uris);
      CheckGrants(c);
      nlohmann::json details = {{"name", c.name},
                                {"first_party", c.first_party},
                                {"introspect", c.can_introspect},
                                {"require_resource", c.requires_resource},
                                {"scope", util::JoinList(c.scopes)},
                                {"grant_types", util::JoinList(c.grant_types)},
                                {"redirect_uris", c.redirect_uris}};
      if (!db->Clients().Update(c, CliEvent("client.updated", "", c.id, details))) {
        throw CommandError(kExitFailure, "no such client");
      }
      PrintJson(ToJson(c));
      return kExitOk;
    };
  });

  auto* rotate = client->add_subcommand(
      "rotate-secret", "Print a new secret once; the old one works for --grace seconds");
  rotate->add_option("--id", a.id, "client_id")->required();
  rotate->add_option("--grace", a.grace, "Seconds the old secret keeps working")
      ->check(CLI::Range(0LL, 30LL * 24 * 3600));
  rotate->callback([&flags, &action] {
    action = [&flags] {
      auto db = OpenDatabase(flags);
      std::string secret = crypto::RandomToken(32);
      if (!db->Clients().RotateSecret(
              a.id, crypto::ToBytes(crypto::Sha256(secret)), a.grace,
              CliEvent("client.secret_rotated", "", a.id, {{"grace_seconds", a.grace}}))) {
        throw CommandError(kExitFailure, "no such confidential client");
      }
      PrintJson({{"id", a.id}, {"client_secret", secret}, {"previous_secret_valid_for", a.grace}});
      return kExitOk;
    };
  });
}

}  // namespace oakgate::cli
