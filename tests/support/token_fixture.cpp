#include "tests/support/token_fixture.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <stdexcept>

#include "gateway/crypto/random.hpp"
#include "gateway/crypto/sha256.hpp"
#include "tests/support/gateway_process.hpp"

namespace oakgate::test {

void CreateTestClient(const std::map<std::string, std::string>& env, const std::string& client_id) {
  auto r = RunOakgate({"client", "create", "--id", client_id, "--name", client_id, "--redirect-uri",
                       "http://127.0.0.1/cb", "--scopes", "keys agents"},
                      env);
  if (r.exit_code != 0) throw std::runtime_error("client create failed: " + r.err);
}

std::string CreateTestUser(const std::map<std::string, std::string>& env,
                           const std::string& email) {
  auto r = RunOakgate({"user", "create", "--email", email, "--password-stdin"}, env,
                      "a-test-password-123\n");
  if (r.exit_code != 0) throw std::runtime_error("user create failed: " + r.err);
  return nlohmann::json::parse(r.out).at("id").get<std::string>();
}

std::string IssueTestAccessToken(const std::string& database_url, const std::string& client_id,
                                 const std::string& user_id, const std::string& scopes,
                                 int ttl_seconds) {
  std::string token = "oat_" + crypto::RandomToken(32);
  pqxx::connection conn(database_url);
  pqxx::work tx(conn);
  auto family = tx.exec_params1(
      "INSERT INTO token_families (client_id, user_id, scopes, expires_at)"
      " VALUES ($1, $2::uuid, coalesce(string_to_array(nullif($3, ''), ' '), '{}'),"
      " now() + make_interval(secs => greatest($4::int, 60))) RETURNING id",
      client_id, user_id, scopes, ttl_seconds);
  tx.exec_params(
      "INSERT INTO access_tokens (token_hash, family_id, client_id, user_id, scopes, expires_at)"
      " VALUES ($1, $2, $3, $4::uuid, coalesce(string_to_array(nullif($5, ''), ' '), '{}'),"
      " now() + make_interval(secs => $6::int))",
      pqxx::binarystring(crypto::ToBytes(crypto::Sha256(token))), family[0].as<int64_t>(),
      client_id, user_id, scopes, ttl_seconds);
  tx.commit();
  return token;
}

}  // namespace oakgate::test
