#include <nlohmann/json.hpp>

#include "gateway/cli/commands.hpp"
#include "gateway/handlers/api/api_keys.hpp"
#include "gateway/manage/key_service.hpp"
#include "gateway/manage/org_service.hpp"
#include "gateway/policy/rules.hpp"
#include "gateway/session/login_service.hpp"
#include "gateway/store/pg/pg_database.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::cli {
namespace {

struct ApiKeyArgs {
  std::string user;
  std::string agent = std::string(manage::kDefaultAgent);
  std::string org;
  std::string name;
  std::string scopes;
  int64_t expires_in = 0;
};

std::vector<std::string> CheckedScopes(const std::string& text) {
  std::vector<std::string> out;
  for (auto& part : util::SplitList(text)) {
    if (!policy::IsValidKeyScope(part)) {
      throw CommandError(kExitUsage,
                         "--scopes: each scope must be tool:scope (names or *), got " + part);
    }
    out.push_back(std::move(part));
  }
  return out;
}

}  // namespace

void RegisterApiKey(CLI::App& app, GlobalFlags& flags, Action& action) {
  static ApiKeyArgs args;
  auto* apikey = app.add_subcommand("apikey", "Manage API keys");
  apikey->require_subcommand(1);
  auto* create = apikey->add_subcommand(
      "create", "Issue an API key for a user's agent (created if missing); prints the key once");
  create->add_option("--user", args.user, "Email of the owning user")->required();
  create->add_option("--agent", args.agent, "Agent name (default: default)");
  create->add_option("--org", args.org,
                     "Organization (slug or id) the user is a member of (default: the user's "
                     "personal one)");
  create->add_option("--name", args.name, "A name for the key");
  create->add_option("--scopes", args.scopes,
                     "Space-separated tool:scope patterns the key is narrowed to ('*' allowed)");
  create->add_option("--expires-in", args.expires_in, "Lifetime in seconds (default: none)")
      ->check(CLI::Range(int64_t{1}, int64_t{10LL * 365 * 24 * 3600}));
  create->callback([&flags, &action] {
    action = [&flags] {
      if (!policy::IsValidName(args.agent)) {
        throw CommandError(kExitUsage, "--agent must match [A-Za-z0-9._-]{1,200}");
      }
      if (args.name.size() > 200) throw CommandError(kExitUsage, "--name is longer than 200");
      std::vector<std::string> scopes = CheckedScopes(args.scopes);
      auto db = OpenDatabase(flags);
      auto user = db->Users().FindByEmail(session::NormalizeEmail(args.user));
      if (!user) throw CommandError(kExitFailure, "no user with that email");
      if (user->disabled) throw CommandError(kExitFailure, "the user is disabled");
      manage::Principal who = manage::OperatorPrincipal(user->id);
      manage::OrgService orgs(db->Orgs());
      if (!orgs.Enter(who, args.org)) {
        throw CommandError(kExitFailure, "the user is not a member of that organization");
      }
      manage::KeyService keys(db->Agents(), db->ApiKeys());
      manage::KeyInput req;
      req.agent_name = args.agent;
      req.name = args.name;
      req.scopes = scopes;
      if (args.expires_in > 0) req.expires_in = args.expires_in;
      auto issued = keys.Issue(who, req);
      if (!issued) throw CommandError(kExitFailure, issued.error().message);
      PrintJson(handlers::api::CreatedKeyJson(issued.value()));
      return kExitOk;
    };
  });
}

}  // namespace oakgate::cli
