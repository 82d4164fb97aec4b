#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"

namespace oakgate::store::pg {

PruneCounts PgMaintenanceStore::PruneOnce(const PruneLimits& l) {
  // Each delete commits on its own: a batch is small, and one failing kind does not undo the
  // others.
  return Autocommit(db_, [&](pqxx::nontransaction& tx) {
    PruneCounts out;
    auto run = [&](const char* what, const sql::Statement& s, auto... args) {
      out.emplace_back(what, tx.exec_prepared(s.name, l.batch, args...).affected_rows());
    };
    run("sessions", sql::kPruneSessions);
    run("login_failures", sql::kPruneLoginFailures, l.login_failure_window);
    run("client_auth_failures", sql::kPruneClientAuthFailures, l.client_auth_failure_window);
    run("authorization_codes", sql::kPruneCodes, l.code_replay_margin);
    run("token_families", sql::kPruneFamilies);
    run("access_tokens", sql::kPruneAccessTokens);
    run("decisions", sql::kPruneDecisions, l.decision_retention_days);
    run("rate_limited_counts", sql::kPruneRateLimitedCounts, l.decision_retention_days);
    run("audit_events", sql::kPruneAuditEvents, l.audit_retention_days);
    run("registered_clients", sql::kPruneRegisteredClients, l.registered_client_unused_ttl);
    run("registration_attempts", sql::kPruneRegistrationAttempts, l.registration_window);
    run("registration_tokens", sql::kPruneRegistrationTokens);
    run("dashboard_reveals", sql::kPruneReveals);
    run("legacy_jwt_uses", sql::kPruneLegacyJwtUses);
    return out;
  });
}

void PgMaintenanceStore::Notify(const std::string& channel, const std::string& payload) {
  Execute(db_, sql::kNotify, channel, payload);
}

}  // namespace oakgate::store::pg
