#include <iostream>

#include "gateway/cli/commands.hpp"
#include "gateway/store/pg/migrator.hpp"

namespace oakgate::cli {

void RegisterMigrate(CLI::App& app, GlobalFlags& flags, Action& action) {
  auto* cmd = app.add_subcommand("migrate", "Apply the pending migrations of sql/ in order");
  static bool status = false;
  cmd->add_flag("--status", status, "List applied and pending migrations; change nothing");
  cmd->callback([&flags, &action] {
    action = [&flags] {
      config::Config cfg = LoadConfig(flags);
      try {
        config::ValidateDatabase(cfg);
      } catch (const config::ConfigError& e) {
        throw CommandError(kExitUsage, std::string("configuration error: ") + e.what());
      }
      if (status) {
        auto s = store::pg::ReadMigrationStatus(cfg.database_url);
        for (const auto& v : s.applied) std::cout << "applied  " << v << "\n";
        for (const auto& v : s.pending) std::cout << "pending  " << v << "\n";
        for (const auto& v : s.unknown) std::cout << "newer    " << v << "\n";
        return kExitOk;
      }
      auto applied = store::pg::ApplyMigrations(cfg.database_url);
      for (const auto& v : applied) std::cout << "applied  " << v << "\n";
      if (applied.empty()) std::cout << "up to date\n";
      return kExitOk;
    };
  });
}

}  // namespace oakgate::cli
