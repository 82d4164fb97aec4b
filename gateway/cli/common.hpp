#pragma once
// What every command shares: configuration from the global flags, and the exit codes of
// CONTRACT §1 (0 success, 2 bad usage or configuration, 1 any other failure).
#include <CLI/CLI.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "gateway/config/config.hpp"
#include "gateway/store/pg/pg_database.hpp"

namespace oakgate::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// A failure the command reports as one line on stderr with the given exit code.
class CommandError : public std::runtime_error {
 public:
  CommandError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

struct GlobalFlags {
  std::map<std::string, std::string> values;  // JSON key -> value given on the command line
};

// Adds --database-url, --listen, --issuer, --log-level and --templates-dir to `app`.
void AddGlobalFlags(CLI::App& app, GlobalFlags& flags);
config::Config LoadConfig(const GlobalFlags& flags);
// The database named by the configuration; exit 2 when none is configured.
std::unique_ptr<store::pg::PgDatabase> OpenDatabase(const GlobalFlags& flags);
void PrintJson(const nlohmann::json& value);
// Reads the first line of stdin (without the newline).
std::string ReadPasswordFromStdin();
// The audit event of a change made with the CLI: actor "cli", no address or request. Never a
// secret in `details`.
store::AuditEvent CliEvent(std::string type, std::string user_id, std::string client_id,
                           const nlohmann::json& details = nlohmann::json::object());

}  // namespace oakgate::cli
