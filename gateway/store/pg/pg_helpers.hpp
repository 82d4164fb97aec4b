#pragma once
// The shapes every store method takes, written once: a read of one row, of all rows, of the
// row a statement always returns, a single statement, a group commit's batch, a transaction,
// and a change with its audit event. Each runs on the calling thread's connection inside
// PgDatabase::Guard, so a database failure is handled (and counted) the same way everywhere.
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "gateway/store/agent_store.hpp"
#include "gateway/store/audit_event.hpp"
#include "gateway/store/pg/pg_database.hpp"
#include "gateway/store/pg/statements.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::store::pg {

// The lists stored as arrays travel as space-separated text (util::JoinList, util::SplitList).
inline std::vector<std::string> ListField(const pqxx::field& f) {
  return util::SplitList(f.as<std::string>(""));
}

// A NULL parameter for an absent value (libpqxx 6 sends a null const char* as NULL).
inline const char* OrNull(const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; }

// bytea parameters (hashes, sealed secrets).
inline pqxx::binarystring Bytea(std::string_view s) { return pqxx::binarystring(std::string(s)); }

inline std::optional<int64_t> OptionalInt(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<int64_t>();
}

inline std::optional<std::string> OptionalText(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

template <typename Read>
using RowValue = std::decay_t<std::invoke_result_t<Read&, const pqxx::row&>>;

// Runs `body(tx)` in autocommit: each statement commits on its own, with no BEGIN/COMMIT
// round trips. The reads and single statements below are this with one statement.
template <typename Body>
auto Autocommit(PgDatabase& db, Body&& body) {
  return db.Guard([&] {
    pqxx::nontransaction tx(db.Connection());
    return body(tx);
  });
}

// The first row of a read in autocommit, or nullopt.
template <typename Read, typename... Args>
std::optional<RowValue<Read>> QueryOne(PgDatabase& db, const sql::Statement& s, Read&& read,
                                       const Args&... args) {
  return Autocommit(db, [&](pqxx::nontransaction& tx) -> std::optional<RowValue<Read>> {
    auto r = tx.exec_prepared(s.name, args...);
    if (r.empty()) return std::nullopt;
    return read(r[0]);
  });
}

// Every row of a read in autocommit, in the statement's order.
template <typename Read, typename... Args>
std::vector<RowValue<Read>> QueryAll(PgDatabase& db, const sql::Statement& s, Read&& read,
                                     const Args&... args) {
  return Autocommit(db, [&](pqxx::nontransaction& tx) {
    std::vector<RowValue<Read>> out;
    for (const auto& row : tx.exec_prepared(s.name, args...)) out.push_back(read(row));
    return out;
  });
}

// A statement that always returns exactly one row (an aggregate, an upsert with RETURNING),
// in autocommit; anything else is pqxx::unexpected_rows.
template <typename Read, typename... Args>
RowValue<Read> QueryRow(PgDatabase& db, const sql::Statement& s, Read&& read, const Args&... args) {
  return Autocommit(
      db, [&](pqxx::nontransaction& tx) { return read(tx.exec_prepared1(s.name, args...)); });
}

// One statement in autocommit (atomic on its own); the number of rows it changed.
template <typename... Args>
size_t Execute(PgDatabase& db, const sql::Statement& s, const Args&... args) {
  return Autocommit(db, [&](pqxx::nontransaction& tx) {
    return tx.exec_prepared(s.name, args...).affected_rows();
  });
}

// Runs `f`, one statement in autocommit (atomic on its own, committed when it returns). A
// connection lost meanwhile leaves that commit in doubt: Guard turns pqxx::in_doubt_error into
// util::CommitInDoubt, whose caller looks up what was stored. So does the server ending the
// session while the statement ran (class 57: an administrator's or a crash shutdown; class 08:
// a connection exception; or an error with no SQLSTATE at all): the implicit commit may have
// happened before the error was sent, so retrying the statement as if nothing was written
// would take a rotation that took effect for a reuse (PITFALLS 3).
template <typename F>
auto InDoubtIfConnectionLost(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const pqxx::broken_connection& e) {
    throw pqxx::in_doubt_error(e.what());
  } catch (const pqxx::sql_error& e) {
    const std::string& state = e.sqlstate();
    if (state.size() != 5 || state.rfind("57", 0) == 0 || state.rfind("08", 0) == 0) {
      throw pqxx::in_doubt_error(e.what());
    }
    throw;
  }
}

// The one statement of a group commit's batch (store/group_commit.hpp), in autocommit: one
// round trip and one commit for the whole batch, and every row it returns. A connection lost
// while it ran leaves that commit in doubt (above): the caller looks the items up, and never
// takes them for not stored.
template <typename Read, typename... Args>
std::vector<RowValue<Read>> WriteBatch(PgDatabase& db, const sql::Statement& s, Read&& read,
                                       const Args&... args) {
  return Autocommit(db, [&](pqxx::nontransaction& tx) {
    pqxx::result r = InDoubtIfConnectionLost([&] { return tx.exec_prepared(s.name, args...); });
    std::vector<RowValue<Read>> out;
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(read(row));
    return out;
  });
}

// Runs `body(tx)` in one transaction (`Tx`: pqxx::work unless a read asks for a snapshot) and
// commits when it returns; a throw rolls it all back.
template <typename Tx = pqxx::work, typename Body>
auto Transact(PgDatabase& db, Body&& body) {
  return db.Guard([&] {
    Tx tx(db.Connection());
    if constexpr (std::is_void_v<decltype(body(tx))>) {
      body(tx);
      tx.commit();
    } else {
      auto out = body(tx);
      tx.commit();
      return out;
    }
  });
}

// A change that may lose a compare-and-set (a code redeemed, a refresh token retired): `body`
// returns what it wrote, committed, or nullopt, and then everything it wrote is rolled back.
template <typename Body>
auto TransactOrRollBack(PgDatabase& db, Body&& body) {
  return db.Guard([&] {
    pqxx::work tx(db.Connection());
    auto out = body(tx);
    if (out) tx.commit();
    return out;
  });
}

// Written in the caller's transaction, so the event commits or rolls back with the change.
inline void WriteAudit(pqxx::transaction_base& tx, const AuditEvent& e) {
  tx.exec_prepared(sql::kAuditRecord.name, e.type, e.user_id, e.client_id, e.actor, e.subject,
                   e.client_address, e.request_id, e.details_json, e.org_id);
}

// A change and its audit event, in one transaction. `change(tx, event)` makes the change and
// may fill in the event (its subject, once an id is known); only when it returns kOk is the
// event written and both committed, otherwise nothing is. A unique violation (the name is
// taken) is kConflict; a foreign-key violation (the parent was deleted meanwhile) kNotFound.
template <typename Change>
WriteOutcome AuditedWrite(PgDatabase& db, const AuditEvent& audit, Change&& change) {
  return db.Guard([&] {
    pqxx::work tx(db.Connection());
    AuditEvent event = audit;
    try {
      WriteOutcome outcome = change(tx, event);
      if (outcome != WriteOutcome::kOk) return outcome;
    } catch (const pqxx::unique_violation&) {
      return WriteOutcome::kConflict;
    } catch (const pqxx::foreign_key_violation&) {
      return WriteOutcome::kNotFound;
    }
    WriteAudit(tx, event);
    tx.commit();
    return WriteOutcome::kOk;
  });
}

// The common audited change: one statement that must change exactly one row, else kNotFound.
template <typename... Args>
WriteOutcome AuditedChange(PgDatabase& db, const AuditEvent& audit, const sql::Statement& s,
                           const Args&... args) {
  return AuditedWrite(db, audit, [&](pqxx::work& tx, AuditEvent&) {
    return tx.exec_prepared(s.name, args...).affected_rows() == 1 ? WriteOutcome::kOk
                                                                  : WriteOutcome::kNotFound;
  });
}

}  // namespace oakgate::store::pg
