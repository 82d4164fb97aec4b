#include "gateway/store/pg/pg_database.hpp"

#include <poll.h>

#include <atomic>
#include <cstdlib>
#include <unordered_map>

#include "gateway/observe/metrics.hpp"
#include "gateway/store/pg/migrator.hpp"
#include "gateway/store/pg/pg_helpers.hpp"
#include "gateway/store/pg/pg_stores.hpp"
#include "gateway/store/pg/statements.hpp"

namespace oakgate::store::pg {
namespace {

std::atomic<int64_t> g_open{0};
std::atomic<int64_t> g_in_use{0};
thread_local int t_guard_depth = 0;

// Deletes a connection and counts it closed.
struct CountedClose {
  void operator()(pqxx::connection* c) const {
    delete c;
    g_open.fetch_sub(1, std::memory_order_relaxed);
  }
};
using ConnectionPtr = std::unique_ptr<pqxx::connection, CountedClose>;

// One connection per (database, thread).
thread_local std::unordered_map<const PgDatabase*, ConnectionPtr> t_connections;

void CountConnect(bool ok) {
  observe::Metrics()
      .GetCounter("oakgate_db_connects_total", "Database connections opened, by result",
                  {{"result", ok ? "ok" : "failed"}})
      .Inc();
}

// Between statements an idle connection has nothing to read. When the server ends it, the
// socket turns readable (a FATAL message, then EOF) or hangs up; poll() with no wait tells.
// A stray notice also makes it readable: that costs one needless reconnect, nothing more.
bool LooksClosedByServer(const pqxx::connection& conn) {
  int fd = conn.sock();
  if (fd < 0) return true;
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) != 0;
}

}  // namespace

struct PgDatabase::Stores {
  explicit Stores(PgDatabase& db)
      : users(db),
        clients(db),
        sessions(db),
        throttle(db),
        tokens(db),
        agents(db),
        api_keys(db),
        decisions(db),
        maintenance(db),
        consents(db),
        audit(db),
        resources(db),
        registrations(db),
        rate_buckets(db),
        orgs(db),
        usage(db),
        invitations(db),
        approvals(db),
        webhooks(db) {}
  PgUserStore users;
  PgClientStore clients;
  PgSessionStore sessions;
  PgThrottleStore throttle;
  PgTokenStore tokens;
  PgAgentStore agents;
  PgApiKeyStore api_keys;
  PgDecisionStore decisions;
  PgMaintenanceStore maintenance;
  PgConsentStore consents;
  PgAuditStore audit;
  PgResourceStore resources;
  PgRegistrationStore registrations;
  PgRateBucketStore rate_buckets;
  PgOrgStore orgs;
  PgUsageStore usage;
  PgInvitationStore invitations;
  PgApprovalStore approvals;
  PgWebhookStore webhooks;
};

PgDatabase::PgDatabase(std::string url)
    : url_(std::move(url)), stores_(std::make_unique<Stores>(*this)) {
  // Timeouts go in the connection options, not in SET: libpqxx 6 silently re-opens a broken
  // connection and would lose anything set with SET. An explicit `options` in the URL wins.
  setenv("PGOPTIONS",
         "-c statement_timeout=5000 -c lock_timeout=3000"
         " -c idle_in_transaction_session_timeout=10000",
         0);
  setenv("PGCONNECT_TIMEOUT", "3", 0);
}

PgDatabase::~PgDatabase() = default;

UserStore& PgDatabase::Users() { return stores_->users; }
ClientStore& PgDatabase::Clients() { return stores_->clients; }
SessionStore& PgDatabase::Sessions() { return stores_->sessions; }
ThrottleStore& PgDatabase::Throttle() { return stores_->throttle; }
TokenStore& PgDatabase::Tokens() { return stores_->tokens; }
MaintenanceStore& PgDatabase::Maintenance() { return stores_->maintenance; }
AgentStore& PgDatabase::Agents() { return stores_->agents; }
ApiKeyStore& PgDatabase::ApiKeys() { return stores_->api_keys; }
DecisionStore& PgDatabase::Decisions() { return stores_->decisions; }

ConsentStore& PgDatabase::Consents() { return stores_->consents; }
AuditStore& PgDatabase::Audit() { return stores_->audit; }
ResourceStore& PgDatabase::Resources() { return stores_->resources; }
RegistrationStore& PgDatabase::Registrations() { return stores_->registrations; }
RateBucketStore& PgDatabase::RateBuckets() { return stores_->rate_buckets; }
OrgStore& PgDatabase::Orgs() { return stores_->orgs; }
UsageStore& PgDatabase::Usage() { return stores_->usage; }
InvitationStore& PgDatabase::Invitations() { return stores_->invitations; }
ApprovalStore& PgDatabase::Approvals() { return stores_->approvals; }
WebhookStore& PgDatabase::Webhooks() { return stores_->webhooks; }

pqxx::connection& PgDatabase::Connection() {
  auto& slot = t_connections[this];
  // A connection the server has ended (restart, admin shutdown) is found before it is used,
  // so the first request on each worker after an outage gets a fresh connection, not a 503.
  if (slot && LooksClosedByServer(*slot)) slot.reset();
  if (!slot) {
    try {
      auto conn = std::make_unique<pqxx::connection>(url_);
      for (const auto& s : sql::kAll) conn->prepare(s.name, s.text);
      g_open.fetch_add(1, std::memory_order_relaxed);
      slot = ConnectionPtr(conn.release());
      CountConnect(true);
    } catch (const pqxx::failure& e) {
      CountConnect(false);
      throw util::ServiceUnavailable(std::string("database connection failed: ") + e.what());
    }
  }
  return *slot;
}

void PgDatabase::ResetConnection() { t_connections.erase(this); }

PgDatabase::InUse::InUse() {
  if (t_guard_depth++ == 0) g_in_use.fetch_add(1, std::memory_order_relaxed);
}

PgDatabase::InUse::~InUse() {
  if (--t_guard_depth == 0) g_in_use.fetch_sub(1, std::memory_order_relaxed);
}

int64_t PgDatabase::OpenConnections() { return g_open.load(std::memory_order_relaxed); }
int64_t PgDatabase::ConnectionsInUse() { return g_in_use.load(std::memory_order_relaxed); }

void PgDatabase::CountError(const char* kind) {
  observe::Metrics()
      .GetCounter("oakgate_db_errors_total",
                  "Database calls that failed: unavailable (connection lost, timeout), "
                  "in_doubt (commit outcome unknown), statement (a non-transient SQL error)",
                  {{"kind", kind}})
      .Inc();
}

bool PgDatabase::IsTransient(const std::string& sqlstate) {
  // 08: connection exception; 53: insufficient resources; 57: operator intervention
  // (admin shutdown, statement timeout); 40001/40P01: serialization failure, deadlock;
  // 55P03: lock not available.
  if (sqlstate.size() != 5) return true;
  std::string cls = sqlstate.substr(0, 2);
  return cls == "08" || cls == "53" || cls == "57" || sqlstate == "40001" || sqlstate == "40P01" ||
         sqlstate == "55P03";
}

bool PgDatabase::Ready() {
  std::vector<std::string> known;
  for (const auto& m : EmbeddedMigrations()) known.push_back(m.version);
  try {
    return QueryRow(
        *this, sql::kMigrationsApplied,
        [](const pqxx::row& row) { return row[0].as<size_t>() == EmbeddedMigrations().size(); },
        util::JoinList(known));
  } catch (const util::ServiceUnavailable&) {
    return false;
  } catch (const pqxx::sql_error&) {
    ResetConnection();  // e.g. schema_migrations does not exist yet
    return false;
  }
}

}  // namespace oakgate::store::pg
