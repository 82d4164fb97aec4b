#pragma once
// Small helpers shared by the stores of agents, keys and decisions.
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "gateway/store/audit_event.hpp"
#include "gateway/store/pg/statements.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::store::pg {

inline std::string JoinWords(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : " ") + s;
  return out;
}

inline std::vector<std::string> SplitWords(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  for (auto part : util::Split(s, ' ')) out.emplace_back(part);
  return out;
}

// A NULL parameter for an absent value (libpqxx 6 sends a null const char* as NULL).
inline const char* OrNull(const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; }

inline std::optional<int64_t> OptionalInt(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<int64_t>();
}

inline std::optional<std::string> OptionalText(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

// Runs `f`, one statement in autocommit (atomic on its own, committed when it returns). A
// connection lost meanwhile leaves that commit in doubt: Guard turns pqxx::in_doubt_error into
// util::CommitInDoubt, whose caller looks up what was stored.
template <typename F>
auto InDoubtIfConnectionLost(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const pqxx::broken_connection& e) {
    throw pqxx::in_doubt_error(e.what());
  }
}

// Written in the caller's transaction, so the event commits or rolls back with the change.
inline void WriteAudit(pqxx::transaction_base& tx, const AuditEvent& e) {
  tx.exec_prepared(sql::kAuditRecord.name, e.type, e.user_id, e.client_id, e.actor, e.subject,
                   e.client_address, e.request_id, e.details_json);
}

}  // namespace oakgate::store::pg
