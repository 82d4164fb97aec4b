#include "gateway/session/return_to.hpp"

namespace oakgate::session {

std::string SafeReturnTo(std::string_view c) {
  if (c.empty() || c.size() > 4096 || c.front() != '/') return "/";
  if (c.size() > 1 && (c[1] == '/' || c[1] == '\\')) return "/";
  for (unsigned char ch : c) {
    // Control characters (a tab or newline inside "//" is stripped by browsers), spaces,
    // backslashes and non-ASCII never belong in a path we redirect to.
    if (ch <= 0x20 || ch >= 0x7F || ch == '\\') return "/";
  }
  return std::string(c);
}

}  // namespace oakgate::session
