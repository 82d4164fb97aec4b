#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/audit_event.hpp"
#include "gateway/store/rows.hpp"

namespace oakgate::store {

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // With `audit` (the sign-in) in the same transaction.
  virtual void Create(std::string_view token_hash, std::string_view user_id, int64_t ttl_seconds,
                      int64_t idle_ttl_seconds, std::string_view client_address,
                      std::string_view user_agent, const AuditEvent& audit) = 0;
  // The live session with this hash, touched (idle expiry moved forward, never past the
  // absolute expiry) in the same statement; nullopt when unknown, ended, expired or the user
  // is disabled.
  virtual std::optional<Session> FindActive(std::string_view token_hash,
                                            int64_t idle_ttl_seconds) = 0;
  // Ends the session and writes `audit` (the sign-out), with the session's user as its user,
  // in the same transaction; nothing when no live session has that hash.
  virtual void End(std::string_view token_hash, const AuditEvent& audit) = 0;
  // The user's live sessions, most recently seen first.
  virtual std::vector<SessionInfo> ListForUser(std::string_view user_id) = 0;
  // Ends the user's session with this id; false when it is not theirs or not live.
  virtual bool EndForUser(std::string_view user_id, int64_t session_id,
                          const AuditEvent& audit) = 0;

  // The dashboard's one-time slot for a new API key (issue 29), bound to one session:
  // `sealed` is the key already sealed to the session cookie (never the key itself). Writing
  // a slot for the same key again replaces it.
  virtual void PutReveal(int64_t session_id, std::string_view key_id, std::string_view sealed) = 0;
  // Reads and empties the slot in one statement: a second call, from this or any other
  // instance, gets nullopt. A slot older than 10 minutes is emptied and not returned.
  virtual std::optional<std::string> TakeReveal(int64_t session_id, std::string_view key_id) = 0;
};

// Throttles decide and record under one lock per key (account or client id, and address),
// so that concurrent attempts see each other: N guesses at once count N, and no more than the
// limit are ever checked (G3). `admit` is the pure decision over the failures in the window;
// when it admits, the attempt is recorded as a failure at once, before the credential is
// checked, and a success takes it back.
using AdmitLogin = std::function<bool(const LoginFailureCounts&)>;
using AdmitClientAuth = std::function<bool(const ClientAuthFailureCounts&)>;

class ThrottleStore {
 public:
  virtual ~ThrottleStore() = default;
  // A browser login attempt: true (and counted as a failure) when `admit` admits it.
  virtual bool TryLoginAttempt(std::string_view account, std::string_view client_address,
                               int64_t window_seconds, const AdmitLogin& admit) = 0;
  // After a successful login, this (account, address) pair starts afresh.
  virtual void ClearLoginFailures(std::string_view account, std::string_view client_address) = 0;

  // Failed client authentication at the token, introspection and revocation endpoints.
  virtual ClientAuthFailureCounts CountClientAuthFailures(std::string_view client_id,
                                                          std::string_view client_address,
                                                          int64_t window_seconds) = 0;
  virtual void RecordClientAuthFailure(std::string_view client_id,
                                       std::string_view client_address) = 0;
  // A client secret about to be checked: the id of the failure recorded for it when `admit`
  // admits it, nullopt when refused (nothing recorded).
  virtual std::optional<int64_t> TryClientAuthAttempt(std::string_view client_id,
                                                      std::string_view client_address,
                                                      int64_t window_seconds,
                                                      const AdmitClientAuth& admit) = 0;
  // The secret was right: the attempt was no failure.
  virtual void ForgetClientAuthAttempt(int64_t attempt_id) = 0;
};

}  // namespace oakgate::store
