#include "gateway/manage/signup_service.hpp"

#include "gateway/manage/password_policy.hpp"
#include "gateway/observe/log.hpp"
#include "gateway/observe/metrics.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::manage {
namespace {

util::Failure<SignupError> Refuse(SignupErrorKind kind, std::string message,
                                  int64_t retry_after = 0) {
  return util::Fail(SignupError{kind, std::move(message), retry_after});
}

void CountSignup(const char* result) {
  observe::Metrics()
      .GetCounter("oakgate_signups_total", "Sign-up attempts by result", {{"result", result}})
      .Inc();
}

}  // namespace

std::optional<SignupMode> ParseSignupMode(std::string_view text) {
  if (text == "off") return SignupMode::kOff;
  if (text == "invite") return SignupMode::kInvite;
  if (text == "open") return SignupMode::kOpen;
  return std::nullopt;
}

util::Result<Done, SignupError> SignupService::SignUp(const SignupRequest& request) {
  if (mode_ == SignupMode::kOff) return Refuse(SignupErrorKind::kClosed, "Sign-up is closed.");
  std::optional<store::Invitation> invitation;
  if (!request.invitation.empty()) {
    auto pending = invitations_.Pending(request.invitation);
    if (!pending) {
      return Refuse(SignupErrorKind::kInvitationGone, "This invitation can no longer be used.");
    }
    invitation = pending.value();
  } else if (mode_ == SignupMode::kInvite) {
    return Refuse(SignupErrorKind::kInvitationNeeded, "Sign-up is by invitation only.");
  }
  std::string email(util::Trim(request.email));
  if (!IsValidEmail(email)) {
    return Refuse(SignupErrorKind::kInvalidEmail, "Enter a valid email address.");
  }
  std::string account = session::NormalizeEmail(email);
  if (invitation && util::ToLower(invitation->email) != account) {
    return Refuse(SignupErrorKind::kWrongEmail,
                  "This invitation is for " + invitation->email + "; sign up with that address.");
  }
  auto problem = CheckPassword(request.password, email);
  if (problem != PasswordProblem::kNone) {
    return Refuse(SignupErrorKind::kWeakPassword, PasswordProblemMessage(problem));
  }

  // Counted before the account is made, under the throttle's lock, like a login attempt (G3):
  // concurrent attempts see each other, and never more than the limits are let through.
  session::ThrottleVerdict verdict;
  session::LoginLimits limits{limits_.window_seconds, limits_.per_pair, limits_.per_address,
                              limits_.per_account};
  bool admitted = db_.Throttle().TryLoginAttempt(
      "signup:" + account, request.client_address, limits_.window_seconds,
      [&](const store::LoginFailureCounts& counts) {
        verdict = session::DecideThrottle(counts, limits);
        return verdict.allowed;
      });
  if (!admitted) {
    CountSignup("throttled");
    return Refuse(SignupErrorKind::kThrottled, "Too many sign-up attempts. Try again later.",
                  verdict.retry_after);
  }

  // The hash is computed whether or not the email is registered, so both take the same time.
  std::string hash = hasher_.Hash(request.password);
  store::AuditEvent audit;
  audit.type = "user.signed_up";
  audit.actor = "signup";
  audit.client_address = request.client_address;
  audit.request_id = request.request_id;
  audit.details_json = invitation ? R"({"invited":true})" : R"({"invited":false})";
  auto created = db_.Users().Create(email, account, hash, false, audit);
  // The same log line either way: the log must not tell the two apart any more than the answer.
  CountSignup("answered");
  observe::Info("sign-up answered", {{"client_address", request.client_address}});
  if (created) {
    observe::Debug("sign-up made an account", {{"user_id", created->id}});
  }
  return Done{};
}

}  // namespace oakgate::manage
