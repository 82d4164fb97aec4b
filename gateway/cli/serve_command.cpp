#include "gateway/app/application.hpp"
#include "gateway/app/legacy_setup.hpp"
#include "gateway/cli/commands.hpp"

namespace oakgate::cli {

void RegisterServe(CLI::App& app, GlobalFlags& flags, Action& action) {
  auto* cmd = app.add_subcommand(
      "serve",
      "Run the HTTP server in the foreground (applies pending migrations first unless "
      "OAKGATE_AUTO_MIGRATE=0)");
  cmd->callback([&flags, &action] {
    action = [&flags] {
      config::Config cfg = LoadConfig(flags);
      try {
        config::ValidateForServe(cfg);
        app::LoadLegacyKeys(cfg);  // a refused legacy JWT key stops here, with exit 2
      } catch (const config::ConfigError& e) {
        throw CommandError(kExitUsage, std::string("configuration error: ") + e.what());
      }
      return app::Serve(cfg);
    };
  });
}

}  // namespace oakgate::cli
