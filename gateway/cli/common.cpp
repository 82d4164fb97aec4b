#include "gateway/cli/common.hpp"

#include <iostream>

namespace oakgate::cli {

void AddGlobalFlags(CLI::App& app, GlobalFlags& flags) {
  for (const auto& [flag, key] :
       std::map<std::string, std::string>{{"--database-url", "database_url"},
                                          {"--listen", "listen"},
                                          {"--issuer", "issuer"},
                                          {"--log-level", "log_level"},
                                          {"--templates-dir", "templates_dir"}}) {
    std::string k = key;
    app.add_option_function<std::string>(
        flag, [&flags, k](const std::string& v) { flags.values[k] = v; },
        "overrides OAKGATE_" +
            [&] {
              std::string upper;
              for (char c : k)
                upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
              return upper;
            }());
  }
}

config::Config LoadConfig(const GlobalFlags& flags) {
  try {
    return config::LoadFromProcess(flags.values);
  } catch (const config::ConfigError& e) {
    throw CommandError(kExitUsage, std::string("configuration error: ") + e.what());
  }
}

std::unique_ptr<store::pg::PgDatabase> OpenDatabase(const GlobalFlags& flags) {
  config::Config cfg = LoadConfig(flags);
  try {
    config::ValidateDatabase(cfg);
  } catch (const config::ConfigError& e) {
    throw CommandError(kExitUsage, std::string("configuration error: ") + e.what());
  }
  return std::make_unique<store::pg::PgDatabase>(cfg.database_url);
}

store::AuditEvent CliEvent(std::string type, std::string user_id, std::string client_id,
                           const nlohmann::json& details) {
  store::AuditEvent e;
  e.type = std::move(type);
  e.user_id = std::move(user_id);
  e.client_id = std::move(client_id);
  e.actor = "cli";
  e.subject = e.client_id.empty() ? e.user_id : "client:" + e.client_id;
  e.details_json = details.dump();
  return e;
}

void PrintJson(const nlohmann::json& value) { std::cout << value.dump() << std::endl; }

std::string ReadPasswordFromStdin() {
  std::string line;
  if (!std::getline(std::cin, line)) throw CommandError(kExitUsage, "no password on stdin");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) throw CommandError(kExitUsage, "the password must not be empty");
  return line;
}

}  // namespace oakgate::cli
