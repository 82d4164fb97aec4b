// oakgate audit list: the audit trail for operators, newest first, as one JSON array (like
// `oakgate client list`). oakgate audit verify: walks the trail's hash chain.
#include <iostream>
#include <nlohmann/json.hpp>

#include "gateway/cli/commands.hpp"
#include "gateway/handlers/api/api_common.hpp"
#include "gateway/handlers/api/audit_events.hpp"
#include "gateway/handlers/api/decisions.hpp"
#include "gateway/manage/audit_chain.hpp"
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

  auto* verify = audit->add_subcommand(
      "verify",
      "Walk the audit trail's hash chain: print OK and the number of rows, or name the first "
      "row that does not hold and exit 1");
  verify->callback([&flags, &action] {
    action = [&flags] {
      auto db = OpenDatabase(flags);
      manage::AuditChainCheck check;
      // The head first: rows written during the walk are then after it and not asked for.
      auto head = db->Audit().ChainHead();
      int64_t after = 0;
      const int64_t last = head ? head->last_id : INT64_MAX;
      while (after < last) {
        auto page = db->Audit().ChainAfter(after, 1000);
        if (page.empty()) break;
        for (const auto& row : page) {
          if (row.id > last) break;
          check.Add(row);
          after = row.id;
        }
        if (page.back().id > last) break;
      }
      manage::AuditChainVerdict v = check.Finish(head);
      if (!v.ok) {
        std::cout << "BROKEN at row " << (v.broken_id ? std::to_string(*v.broken_id) : "-") << ": "
                  << v.reason << "\n";
        return kExitFailure;
      }
      std::cout << "OK: " << v.rows << " rows\n";
      return kExitOk;
    };
  });
}

}  // namespace oakgate::cli
