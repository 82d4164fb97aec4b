#pragma once
// Forward-only migrations from sql/, applied in order, each in its own transaction, under a
// PostgreSQL advisory lock so two instances starting at once do not race.
#include <string>
#include <vector>

namespace oakgate::store::pg {

struct Migration {
  std::string version;  // the file name, e.g. "0001_init.sql"
  std::string sql;
};

const std::vector<Migration>& EmbeddedMigrations();

struct MigrationStatus {
  std::vector<std::string> applied;  // known to this binary and applied
  std::vector<std::string> pending;
  std::vector<std::string> unknown;  // applied by a newer binary (the other colour)
};

// Applies what is pending; returns the versions it applied. Throws util::ServiceUnavailable
// when the database cannot be reached, std::runtime_error when a migration fails.
std::vector<std::string> ApplyMigrations(const std::string& database_url);
MigrationStatus ReadMigrationStatus(const std::string& database_url);

}  // namespace oakgate::store::pg
