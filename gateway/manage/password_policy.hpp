#pragma once
// The rules a new password must meet (CONTRACT §9: sign-up, and the same for `oakgate user
// create` and `user set-password`): at least 12 characters, not the email nor its local part,
// and not one of the 10,000 most common passwords (data/common-passwords-10k.txt, SecLists,
// MIT; compiled into the binary). Pure: no I/O, so the rule is the same everywhere.
#include <cstddef>
#include <string>
#include <string_view>

namespace oakgate::manage {

// NIST SP 800-63B §5.1.1.2 asks for 8 at least; CONTRACT §9 asks for 12.
inline constexpr size_t kMinPasswordChars = 12;
// The login form refuses longer ones (handlers/web/login.cpp), so no account may get one.
inline constexpr size_t kMaxPasswordBytes = 1024;

enum class PasswordProblem {
  kNone,
  kTooShort,  // fewer than kMinPasswordChars characters (code points)
  kTooLong,   // more than kMaxPasswordBytes bytes
  kNotUtf8,   // not valid UTF-8
  kIsEmail,   // the email, or its part before '@', ignoring case and surrounding spaces
  kCommon,    // in the list of common passwords, ignoring case
};

PasswordProblem CheckPassword(std::string_view password, std::string_view email);
// A sentence naming what is wrong, for the form and the command line ("" for kNone).
std::string PasswordProblemMessage(PasswordProblem problem);
// Whether `password` is in the list, ignoring ASCII case.
bool IsCommonPassword(std::string_view password);
// How many entries the compiled-in list has (10,000).
size_t CommonPasswordCount();

}  // namespace oakgate::manage
