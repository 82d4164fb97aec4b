#pragma once
// The PostgreSQL implementation of store::Database: one libpqxx connection per thread
// (connections are never shared across threads), opened lazily, re-opened after a failure.
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "gateway/store/database.hpp"
#include "gateway/util/errors.hpp"

namespace oakgate::store::pg {

class PgDatabase : public Database {
 public:
  explicit PgDatabase(std::string url);
  ~PgDatabase() override;

  UserStore& Users() override;
  ClientStore& Clients() override;
  SessionStore& Sessions() override;
  ThrottleStore& Throttle() override;
  TokenStore& Tokens() override;
  MaintenanceStore& Maintenance() override;
  AgentStore& Agents() override;
  OrgStore& Orgs() override;
  ApiKeyStore& ApiKeys() override;
  DecisionStore& Decisions() override;
  ConsentStore& Consents() override;
  AuditStore& Audit() override;
  ResourceStore& Resources() override;
  RegistrationStore& Registrations() override;
  RateBucketStore& RateBuckets() override;
  UsageStore& Usage() override;
  InvitationStore& Invitations() override;
  ApprovalStore& Approvals() override;
  WebhookStore& Webhooks() override;
  bool Ready() override;

  // The calling thread's connection, opened on first use.
  pqxx::connection& Connection();
  // Drops the calling thread's connection so the next call opens a fresh one.
  void ResetConnection();

  // Runs `f`, translating failures of the database (lost connection, shutdown, timeout)
  // into util::ServiceUnavailable and dropping the connection so it is re-opened.
  template <typename F>
  auto Guard(F&& f) -> decltype(f()) {
    InUse in_use;
    try {
      return f();
    } catch (const pqxx::in_doubt_error& e) {
      ResetConnection();
      CountError("in_doubt");
      throw util::CommitInDoubt(e.what());
    } catch (const pqxx::sql_error& e) {
      if (!IsTransient(e.sqlstate())) {
        CountError("statement");
        throw;
      }
      ResetConnection();
      CountError("unavailable");
      throw util::ServiceUnavailable(e.what());
    } catch (const pqxx::failure& e) {
      ResetConnection();
      CountError("unavailable");
      throw util::ServiceUnavailable(e.what());
    }
  }

  // For /metrics: connections open, and connections inside a Guard call now.
  static int64_t OpenConnections();
  static int64_t ConnectionsInUse();

 private:
  // Marks the calling thread's connection busy for the life of the outermost Guard call.
  struct InUse {
    InUse();
    ~InUse();
    InUse(const InUse&) = delete;
    InUse& operator=(const InUse&) = delete;
  };
  static void CountError(const char* kind);
  static bool IsTransient(const std::string& sqlstate);
  struct Stores;
  std::string url_;
  std::unique_ptr<Stores> stores_;
};

}  // namespace oakgate::store::pg
