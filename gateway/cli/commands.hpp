#pragma once
#include <CLI/CLI.hpp>
#include <functional>

#include "gateway/cli/common.hpp"

namespace oakgate::cli {

// Each Register* adds a subcommand to `app` and sets `action` to run it when chosen.
using Action = std::function<int()>;

void RegisterServe(CLI::App& app, GlobalFlags& flags, Action& action);
void RegisterMigrate(CLI::App& app, GlobalFlags& flags, Action& action);
void RegisterClient(CLI::App& app, GlobalFlags& flags, Action& action);
void RegisterUser(CLI::App& app, GlobalFlags& flags, Action& action);
void RegisterPrune(CLI::App& app, GlobalFlags& flags, Action& action);
void RegisterApiKey(CLI::App& app, GlobalFlags& flags, Action& action);
void RegisterResource(CLI::App& app, GlobalFlags& flags, Action& action);
void RegisterRegistrationToken(CLI::App& app, GlobalFlags& flags, Action& action);
void RegisterOrg(CLI::App& app, GlobalFlags& flags, Action& action);
void RegisterAudit(CLI::App& app, GlobalFlags& flags, Action& action);
void RegisterRoutes(CLI::App& app, GlobalFlags& flags, Action& action);

}  // namespace oakgate::cli
