// oakgate resource create|list|delete: protected resources (RFC 8707) and the confidential
// clients their servers introspect with (RFC 7662 §2.2).
#include <algorithm>

#include "gateway/cli/commands.hpp"
#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/registration.hpp"
#include "gateway/oauth/resource_uri.hpp"
#include "gateway/store/pg/pg_database.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::cli {
namespace {

struct ResourceArgs {
  std::string uri;
  std::string name;
  std::string scopes;
  std::vector<std::string> introspectors;
};

nlohmann::json ToJson(const store::Resource& r) {
  return {
      {"uri", r.uri}, {"name", r.name}, {"scopes", r.scopes}, {"introspectors", r.introspectors}};
}

std::vector<std::string> ScopeWords(const std::string& s) {
  std::vector<std::string> out;
  for (const auto& w : util::SplitList(s)) {
    for (unsigned char c : w) {
      // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
      if (c < 0x21 || c == 0x22 || c == 0x5C || c > 0x7E) {
        throw CommandError(kExitUsage, "invalid scope: " + std::string(w));
      }
    }
    // The gateway's own scopes (CONTRACT §4) belong to no resource.
    if (w == "keys" || w == "agents") {
      throw CommandError(kExitUsage, "scope " + std::string(w) + " belongs to oakgate itself");
    }
    if (std::find(out.begin(), out.end(), w) == out.end()) out.emplace_back(w);
  }
  return out;
}

}  // namespace

void RegisterResource(CLI::App& app, GlobalFlags& flags, Action& action) {
  static ResourceArgs a;
  auto* resource = app.add_subcommand("resource", "Manage protected resources (RFC 8707)");
  resource->require_subcommand(1);

  auto* create = resource->add_subcommand("create", "Register a resource; prints it as JSON");
  create->add_option("--uri", a.uri, "Absolute https URI (http only on loopback), no fragment")
      ->required();
  create->add_option("--name", a.name, "Display name, shown on the consent page")->required();
  create->add_option("--scopes", a.scopes, "Space-separated scopes tokens for it may carry");
  create->add_option("--introspector", a.introspectors,
                     "Client id of a confidential client with --introspect that the resource "
                     "server introspects with (repeatable)");
  create->callback([&flags, &action] {
    action = [&flags] {
      auto uri = oauth::NormalizeResourceUri(a.uri);
      if (!uri) {
        throw CommandError(kExitUsage,
                           "--uri must be an absolute https URI (http only for 127.0.0.1, "
                           "[::1] or localhost) without a fragment");
      }
      if (a.name.empty() || a.name.size() > 200 || !util::IsValidUtf8(a.name)) {
        throw CommandError(kExitUsage, "--name must be 1-200 characters of UTF-8");
      }
      store::Resource r;
      r.uri = *uri;
      r.name = a.name;
      r.scopes = ScopeWords(a.scopes);
      auto db = OpenDatabase(flags);
      for (const auto& id : a.introspectors) {
        auto client = db->Clients().Find(id);
        if (!client) throw CommandError(kExitUsage, "no such client: " + id);
        if (!client->confidential || !client->can_introspect) {
          throw CommandError(kExitUsage, "introspector " + id +
                                             " must be a confidential client created with "
                                             "--introspect");
        }
        if (std::find(r.introspectors.begin(), r.introspectors.end(), id) ==
            r.introspectors.end()) {
          r.introspectors.push_back(id);
        }
      }
      if (!db->Resources().Create(r)) throw CommandError(kExitFailure, "resource already exists");
      PrintJson(ToJson(r));
      return kExitOk;
    };
  });

  auto* list = resource->add_subcommand("list", "List resources as a JSON array");
  list->callback([&flags, &action] {
    action = [&flags] {
      auto db = OpenDatabase(flags);
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : db->Resources().List()) out.push_back(ToJson(r));
      PrintJson(out);
      return kExitOk;
    };
  });

  auto* del = resource->add_subcommand(
      "delete", "Delete a resource; tokens bound to it are then inactive to every introspector");
  del->add_option("--uri", a.uri, "The resource URI")->required();
  del->callback([&flags, &action] {
    action = [&flags] {
      auto uri = oauth::NormalizeResourceUri(a.uri);
      auto db = OpenDatabase(flags);
      if (!uri || !db->Resources().Delete(*uri))
        throw CommandError(kExitFailure, "no such resource");
      PrintJson({{"uri", *uri}, {"deleted", true}});
      return kExitOk;
    };
  });
}

void RegisterRegistrationToken(CLI::App& app, GlobalFlags& flags, Action& action) {
  static std::string name;
  static long long expires_in = 7 * 24 * 3600;
  auto* cmd = app.add_subcommand(
      "registration-token",
      "Initial access tokens for dynamic client registration (OAKGATE_REGISTRATION=token)");
  cmd->require_subcommand(1);
  auto* create = cmd->add_subcommand(
      "create", "Print a new initial access token once (JSON); only its SHA-256 is stored");
  create->add_option("--name", name, "What it is for (at most 200 characters)");
  create->add_option("--expires-in", expires_in, "Seconds it stays valid (default 7 days)")
      ->check(CLI::Range(60LL, 365LL * 24 * 3600));
  create->callback([&flags, &action] {
    action = [&flags] {
      if (name.size() > 200 || !util::IsValidUtf8(name)) {
        throw CommandError(kExitUsage, "--name must be at most 200 characters of UTF-8");
      }
      auto db = OpenDatabase(flags);
      std::string token = oauth::NewInitialAccessToken();
      int64_t expires =
          db->Registrations().CreateToken(crypto::ToBytes(crypto::Sha256(token)), name, expires_in);
      PrintJson({{"token", token}, {"name", name}, {"expires_at", util::FormatRfc3339(expires)}});
      return kExitOk;
    };
  });
}

}  // namespace oakgate::cli
