#include "gateway/app/pruner.hpp"
#include "gateway/cli/commands.hpp"

namespace oakgate::cli {

void RegisterPrune(CLI::App& app, GlobalFlags& flags, Action& action) {
  auto* cmd = app.add_subcommand(
      "prune",
      "Delete expired codes, sessions, tokens and families now, and decisions and audit "
      "events past their retention; prints what it removed");
  cmd->callback([&flags, &action] {
    action = [&flags] {
      config::Config cfg = LoadConfig(flags);
      auto db = OpenDatabase(flags);
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [what, n] :
           app::PruneUntilDone(db->Maintenance(), app::PruneLimitsFrom(cfg), 1000000)) {
        out[what] = n;
      }
      PrintJson(out);
      return kExitOk;
    };
  });
}

}  // namespace oakgate::cli
