#include "gateway/session/login_service.hpp"

#include <algorithm>

#include "gateway/crypto/random.hpp"
#include "gateway/crypto/sha256.hpp"
#include "gateway/observe/log.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::session {
namespace {

void CountLoginFailure(const char* reason) {
  observe::Metrics()
      .GetCounter("oakgate_login_failures_total", "Refused browser logins by reason",
                  {{"reason", reason}})
      .Inc();
}

// A sign-in event (CONTRACT's audit trail: "logins"). Never the password or the email typed.
store::AuditEvent SignInEvent(const char* type, const LoginRequest& request,
                              const std::string& user_id) {
  store::AuditEvent e;
  e.type = type;
  e.user_id = user_id;
  if (!user_id.empty()) e.actor = "user:" + user_id;
  e.subject = user_id;
  e.client_address = request.client_address;
  e.request_id = request.request_id;
  return e;
}

}  // namespace

ThrottleVerdict DecideThrottle(const store::LoginFailureCounts& c, const LoginLimits& l) {
  ThrottleVerdict v;
  auto refuse = [&](int64_t retry) {
    v.allowed = false;
    v.retry_after = std::max<int64_t>({v.retry_after, retry, 1});
  };
  if (c.pair >= l.per_pair) refuse(c.pair_retry);
  if (c.address >= l.per_address) refuse(c.address_retry);
  if (c.account >= l.per_account) refuse(c.account_retry);
  return v;
}

std::string NormalizeEmail(std::string_view email) { return util::ToLower(util::Trim(email)); }

LoginService::LoginService(store::Database& db, PasswordHasher& hasher, SessionSettings settings,
                           LoginLimits limits)
    : db_(db), hasher_(hasher), settings_(settings), limits_(limits) {}

util::Result<LoginSuccess, LoginError> LoginService::Login(const LoginRequest& request) {
  std::string account = NormalizeEmail(request.email);
  // Decided and counted as a failure under the throttle's lock before the password is checked,
  // so concurrent guesses see each other and no more than the limit are ever checked (G3); a
  // success clears it below.
  ThrottleVerdict verdict;
  bool admitted =
      db_.Throttle().TryLoginAttempt(account, request.client_address, limits_.window_seconds,
                                     [&](const store::LoginFailureCounts& counts) {
                                       verdict = DecideThrottle(counts, limits_);
                                       return verdict.allowed;
                                     });
  if (!admitted) {
    CountLoginFailure("throttled");
    return util::Fail(LoginError{LoginErrorKind::kThrottled, verdict.retry_after});
  }

  auto user = db_.Users().FindByEmail(account);
  bool ok = false;
  if (user && !user->disabled) {
    ok = hasher_.Verify(request.password, user->password_hash);
  } else {
    // Unknown and disabled accounts cost the same time as a wrong password.
    hasher_.VerifyDummy(request.password);
  }
  if (!ok) {
    // The failure was counted before the check (TryLoginAttempt). An attempt, not a change:
    // an event of its own, in the known account's trail.
    db_.Audit().Record(SignInEvent("session.sign_in_failed", request, user ? user->id : ""));
    CountLoginFailure("invalid_credentials");
    observe::Info("login failed", {{"client_address", request.client_address}});
    return util::Fail(LoginError{LoginErrorKind::kInvalidCredentials, 0});
  }

  db_.Throttle().ClearLoginFailures(account, request.client_address);
  // A new session id at every login, never one the browser sent (session fixation); the
  // session the browser had, if any, ends.
  if (request.previous_session) {
    store::AuditEvent replaced = SignInEvent("session.ended", request, "");
    replaced.details_json = R"({"reason":"replaced at sign-in"})";
    db_.Sessions().End(crypto::ToBytes(crypto::Sha256(*request.previous_session)), replaced);
  }
  LoginSuccess success;
  success.session_token = crypto::RandomToken(32);
  success.user_id = user->id;
  db_.Sessions().Create(crypto::ToBytes(crypto::Sha256(success.session_token)), user->id,
                        settings_.ttl_seconds, settings_.idle_ttl_seconds, request.client_address,
                        request.user_agent, SignInEvent("session.signed_in", request, user->id));
  observe::Info("login succeeded",
                {{"user_id", user->id}, {"client_address", request.client_address}});
  return success;
}

}  // namespace oakgate::session
