// Every SQL statement is prepared (CONTRACT: prepared statements only): each constant of
// statements.hpp is in the list a connection registers when it opens, and each of them
// prepares against a migrated database, so a typo or a column that does not exist fails here
// rather than on the first request that happens to use it.
#include "gateway/store/pg/statements.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/store/store_test.hpp"

namespace oakgate::test {
namespace {

namespace sql = store::pg::sql;

std::string ReadSource(const std::filesystem::path& relative) {
  std::ifstream in(std::filesystem::path(OAKGATE_SOURCE_DIR) / relative);
  EXPECT_TRUE(in) << relative;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> PreparedNames() {
  std::set<std::string> names;
  for (const auto& s : sql::kAll) EXPECT_TRUE(names.insert(s.name).second) << s.name;
  return names;
}

class Statements : public StoreTest {};

TEST_F(Statements, EveryStatementInStatementsHppIsInTheListPreparedAtConnectionOpen) {
  const std::string text = ReadSource("gateway/store/pg/statements.hpp");
  const std::regex constant(R"(inline\s+constexpr\s+Statement\s+(k\w+)\s*\{\s*"(\w+)\")");
  std::set<std::string> prepared = PreparedNames();
  int constants = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), constant), end; it != end; ++it) {
    ++constants;
    EXPECT_TRUE(prepared.count((*it)[2].str()))
        << (*it)[1].str() << " (\"" << (*it)[2].str() << "\") is missing from sql::kAll";
  }
  EXPECT_EQ(constants, static_cast<int>(prepared.size()))
      << "sql::kAll names a statement that is not a constant of statements.hpp";
}

TEST_F(Statements, EveryPreparedStatementPreparesAgainstAMigratedDatabase) {
  pqxx::connection& conn = Db().Connection();
  for (const auto& s : sql::kAll) {
    try {
      conn.prepare_now(s.name);
    } catch (const pqxx::sql_error& e) {
      ADD_FAILURE() << s.name << ": " << e.what();
    }
  }
}

// SQL text goes to the server only as a prepared statement: no exec(), exec0(), exec1() or
// exec_params() in the stores. The one exception is the migrator running a migration script
// (several statements, compiled into the binary, no parameters).
TEST_F(Statements, TheStoresSendNoSqlOutsidePreparedStatements) {
  const std::regex unprepared(R"(\.\s*exec(0|1|_params|_params0|_params1)?\s*\()");
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(OAKGATE_SOURCE_DIR) / "gateway/store/pg")) {
    if (entry.path().extension() != ".cpp" && entry.path().extension() != ".hpp") continue;
    ++files;
    std::istringstream lines(ReadSource(entry.path()));
    std::string line;
    for (int n = 1; std::getline(lines, line); ++n) {
      if (!std::regex_search(line, unprepared)) continue;
      bool migration_script = entry.path().filename() == "migrator.cpp" &&
                              line.find("tx.exec(m.sql)") != std::string::npos;
      EXPECT_TRUE(migration_script) << entry.path().filename() << ":" << n << ": " << line;
    }
  }
  EXPECT_GT(files, 10);
}

}  // namespace
}  // namespace oakgate::test
