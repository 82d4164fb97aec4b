#pragma once
#include <string>
#include <string_view>

namespace oakgate::session {

// CONTRACT §3: return_to is accepted only as a path on this server — no scheme, no host, no
// "//" — anything else becomes "/". Backslashes are refused too: browsers read "/\evil" as
// "//evil".
std::string SafeReturnTo(std::string_view candidate);

}  // namespace oakgate::session
