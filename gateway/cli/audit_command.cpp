// oakgate audit list: the audit trail for operators, newest first, as one JSON array (like
// `oakgate client list`).
#include <nlohmann/json.hpp>

#include "gateway/cli/commands.hpp"
#include "gateway/handlers/api/api_common.hpp"
#include "gateway/handlers/api/audit_events.hpp"
#include "gateway/handlers/api/decisions.hpp"
#include "gateway/session/login_service.hpp"
#include "gateway/store/pg/pg_database.hpp"

namespace oakgate::cli {
namespace {

struct AuditArgs {
  std::string user;
  std::string type;
  std::string since;
  int64_t limit = 100;
};

}  // namespace

void RegisterAudit(CLI::App& app, GlobalFlags& flags, Action& action) {
  static AuditArgs args;
  auto* audit = app.add_subcommand("audit", "Read the audit trail");
  audit->require_subcommand(1);
  auto* list = audit->add_subcommand("list", "List audit events, newest first, as a JSON array");
  list->add_option("--user", args.user, "Only this user's events (email or user id)");
  list->add_option("--type", args.type, "Only events of this type (e.g. api_key.created)");
  list->add_option("--since", args.since, "Only events at or after this RFC 3339 time");
  list->add_option("--limit", args.limit, "At most this many events (1 to 10000, default 100)")
      ->check(CLI::Range(int64_t{1}, int64_t{10000}));
  list->callback([&flags, &action] {
    action = [&flags] {
      store::AuditQuery q;
      q.limit = args.limit;
      if (!args.type.empty()) {
        if (!handlers::api::IsValidAuditType(args.type)) {
          throw CommandError(kExitUsage, "--type must match [A-Za-z0-9._-]{1,200}");
        }
        q.type = args.type;
      }
      if (!args.since.empty()) {
        auto t = handlers::api::ParseRfc3339(args.since);
        if (!t) throw CommandError(kExitUsage, "--since must be an RFC 3339 time");
        q.from = *t;
      }
      auto db = OpenDatabase(flags);
      if (!args.user.empty()) {
        if (handlers::api::IsUuid(args.user)) {
          q.user_id = args.user;
        } else {
          auto user = db->Users().FindByEmail(session::NormalizeEmail(args.user));
          if (!user) throw CommandError(kExitFailure, "no user with that email");
          q.user_id = user->id;
        }
      }
      nlohmann::json out = nlohmann::json::array();
      for (const auto& a : db->Audit().List(q)) out.push_back(handlers::api::AuditEventJson(a));
      PrintJson(out);
      return kExitOk;
    };
  });
}

}  // namespace oakgate::cli
