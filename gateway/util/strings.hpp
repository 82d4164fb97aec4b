#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oakgate::util {

std::string ToLower(std::string_view s);
std::string_view Trim(std::string_view s);
bool IEquals(std::string_view a, std::string_view b);
// Splits on every occurrence of sep; empty pieces are kept.
std::vector<std::string_view> Split(std::string_view s, char sep);
// The one codec of space-separated lists (scopes, redirect URIs, grant types, audiences):
// items joined by single spaces, and split back with empty pieces (doubled, leading or
// trailing spaces, or no text at all) dropped. Items never contain a space (RFC 6749 §3.3).
std::string JoinList(const std::vector<std::string>& items);
std::vector<std::string> SplitList(std::string_view text);
// Strict UTF-8 validation (no overlongs, no surrogates, no code points above U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Percent-decoding per RFC 3986; with plus_as_space, '+' decodes to ' ' (form bodies).
// Returns nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_as_space);
std::string PercentEncode(std::string_view s);
// Lower-case hex of raw bytes (two characters each).
std::string HexLower(std::string_view bytes);
// 16 bytes as a UUID's text, 8-4-4-4-12 lower-case hex (RFC 9562 §4); the caller has set the
// version and variant bits.
std::string FormatUuid(std::string_view bytes16);
std::optional<long long> ParseInt(std::string_view s);
// RFC 3339 UTC, e.g. 2026-11-24T22:10:30Z.
std::string FormatRfc3339(long long unix_seconds);

}  // namespace oakgate::util
