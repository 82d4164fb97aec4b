#include "gateway/manage/password_policy.hpp"

#include <string_view>
#include <unordered_set>

#include "gateway/util/strings.hpp"

namespace oakgate::manage {

// The list's text, one password a line (generated: common_passwords_data.cpp.in).
extern const char kCommonPasswordsText[];

namespace {

// Built once, on first use, lower-cased: the list is compared ignoring case.
const std::unordered_set<std::string>& CommonPasswords() {
  static const std::unordered_set<std::string> set = [] {
    std::unordered_set<std::string> out;
    std::string_view text(kCommonPasswordsText);
    out.reserve(10000);
    for (std::string_view line : util::Split(text, '\n')) {
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) out.insert(util::ToLower(line));
    }
    return out;
  }();
  return set;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;  // every byte but a continuation byte starts a character
  }
  return n;
}

}  // namespace

bool IsCommonPassword(std::string_view password) {
  return CommonPasswords().count(util::ToLower(password)) > 0;
}

size_t CommonPasswordCount() { return CommonPasswords().size(); }

PasswordProblem CheckPassword(std::string_view password, std::string_view email) {
  if (password.size() > kMaxPasswordBytes) return PasswordProblem::kTooLong;
  if (!util::IsValidUtf8(password)) return PasswordProblem::kNotUtf8;
  if (CodePoints(password) < kMinPasswordChars) return PasswordProblem::kTooShort;
  std::string typed = util::ToLower(util::Trim(password));
  std::string address = util::ToLower(util::Trim(email));
  std::string local = address.substr(0, address.rfind('@'));
  if (!address.empty() && (typed == address || typed == local)) return PasswordProblem::kIsEmail;
  if (IsCommonPassword(password) || IsCommonPassword(util::Trim(password))) {
    return PasswordProblem::kCommon;
  }
  return PasswordProblem::kNone;
}

std::string PasswordProblemMessage(PasswordProblem problem) {
  switch (problem) {
    case PasswordProblem::kNone:
      return "";
    case PasswordProblem::kTooShort:
      return "The password must have at least " + std::to_string(kMinPasswordChars) +
             " characters.";
    case PasswordProblem::kTooLong:
      return "The password must have at most " + std::to_string(kMaxPasswordBytes) + " bytes.";
    case PasswordProblem::kNotUtf8:
      return "The password must be valid UTF-8 text.";
    case PasswordProblem::kIsEmail:
      return "The password must not be your email address.";
    case PasswordProblem::kCommon:
      return "This password is one of the most common passwords; choose another.";
  }
  return "";
}

}  // namespace oakgate::manage
