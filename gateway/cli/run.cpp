#include "gateway/cli/run.hpp"

#include <iostream>

#include "gateway/cli/commands.hpp"
#include "gateway/util/errors.hpp"

#ifndef OAKGATE_VERSION
#define OAKGATE_VERSION "unknown"
#endif

namespace oakgate::cli {

int Run(int argc, char** argv) {
  CLI::App app{"oakgate: OAuth 2.0 authorization server and credential gateway"};
  app.require_subcommand(1);
  // `oakgate --version` prints the version alone (the Debian package's check runs it).
  app.set_version_flag("--version", OAKGATE_VERSION, "Print the version and exit");
  GlobalFlags flags;
  AddGlobalFlags(app, flags);
  Action action;
  RegisterServe(app, flags, action);
  RegisterMigrate(app, flags, action);
  RegisterClient(app, flags, action);
  RegisterUser(app, flags, action);
  RegisterPrune(app, flags, action);
  RegisterApiKey(app, flags, action);
  RegisterResource(app, flags, action);
  RegisterRegistrationToken(app, flags, action);
  RegisterOrg(app, flags, action);
  RegisterAudit(app, flags, action);
  RegisterRoutes(app, flags, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11's own codes are mapped to 2: bad usage.
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  try {
    return action ? action() : kExitUsage;
  } catch (const CommandError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return e.code();
  } catch (const util::ServiceUnavailable& e) {
    std::cerr << "error: database unavailable: " << e.what() << "\n";
    return kExitFailure;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace oakgate::cli
