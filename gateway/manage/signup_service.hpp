#pragma once
// Self-service sign-up (CONTRACT §9), in the mode the operator set: off, invite (only through
// an invitation, for its email) or open. A new account gets its personal organization from
// the database (sql/0012_organizations.sql).
//
// No account enumeration: an email that is registered already gets exactly the answer a new
// one gets, after the same work (the scrypt hash is computed either way), and no second
// account. Since a new account's answer must not differ, sign-up starts no session: both
// answers send the browser to sign in with the password just chosen (docs/api-reference.md,
// "Sign-up").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/manage/domain_error.hpp"
#include "gateway/manage/invitation_service.hpp"
#include "gateway/session/login_service.hpp"
#include "gateway/session/password.hpp"
#include "gateway/store/database.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::manage {

enum class SignupMode { kOff, kInvite, kOpen };
std::optional<SignupMode> ParseSignupMode(std::string_view text);

// Sign-up attempts share the login throttle's table (account "signup:<email>"), so the
// per-address count includes failed logins from the same address. Every attempt counts,
// successful or not: making accounts is what is limited.
struct SignupLimits {
  int64_t window_seconds = 900;  // 15 minutes, as for login
  int64_t per_pair = 5;          // one email from one address
  int64_t per_address = 10;      // any email from one address (with its failed logins)
  int64_t per_account = 100;     // one email from every address
};

struct SignupRequest {
  std::string email;
  std::string password;
  std::string invitation;  // the token of /web/signup?invitation=..., or ""
  std::string client_address;
  std::string request_id;
};

enum class SignupErrorKind {
  kClosed,            // mode off
  kInvitationNeeded,  // mode invite, and no invitation
  kInvitationGone,    // the invitation was used, revoked or has expired (or never existed)
  kWrongEmail,        // the invitation is for another address
  kInvalidEmail,
  kWeakPassword,  // message names the rule broken
  kThrottled,
};

struct SignupError {
  SignupErrorKind kind;
  std::string message;
  int64_t retry_after = 0;
};

class SignupService {
 public:
  SignupService(store::Database& db, session::PasswordHasher& hasher,
                InvitationService& invitations, SignupMode mode, SignupLimits limits = {})
      : db_(db), hasher_(hasher), invitations_(invitations), mode_(mode), limits_(limits) {}
  SignupMode mode() const { return mode_; }
  // Whether a visitor holding `invitation` ("" for none) may use the sign-up form at all.
  bool Allows(bool with_invitation) const {
    return mode_ == SignupMode::kOpen || (mode_ == SignupMode::kInvite && with_invitation);
  }
  // The pending invitation of a token, for the form (its email is the one to sign up with).
  Outcome<store::Invitation> Invitation(std::string_view token) {
    return invitations_.Pending(token);
  }
  // Done for a new email (the account is made) and for a registered one (nothing is) alike.
  util::Result<Done, SignupError> SignUp(const SignupRequest& request);

 private:
  store::Database& db_;
  session::PasswordHasher& hasher_;
  InvitationService& invitations_;
  SignupMode mode_;
  SignupLimits limits_;
};

}  // namespace oakgate::manage
