#pragma once
// Logs: one JSON object per line on stdout (ts, level, msg, request_id, ...), written by a
// background thread through a bounded queue that counts what it drops. Callers pass only
// values that are safe to log: ids, routes, statuses, addresses — never a password, token,
// code, verifier, key secret or cookie. Redact() is for anything that might hold one.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oakgate::observe {

using Field = std::pair<std::string_view, std::string>;

// level: trace, debug, info, warn, error. Safe to call more than once (tests, CLI).
void InitLogging(std::string_view level, size_t queue_size = 8192);
void FlushLogging();
uint64_t DroppedLogLines();

// True when Info lines are written: callers that build fields per request check first.
bool InfoEnabled();

void Debug(std::string_view msg, std::initializer_list<Field> fields = {});
void Info(std::string_view msg, std::initializer_list<Field> fields = {});
void Warn(std::string_view msg, std::initializer_list<Field> fields = {});
void Error(std::string_view msg, std::initializer_list<Field> fields = {});

// Keeps a recognisable, non-secret prefix ("oat_", "pk_<id>") and replaces the rest.
std::string Redact(std::string_view value);

// The last line of defence, applied to the message and every field of every line. It goes by
// the shapes of our secrets, not by anything long: the part after an "oat_", "ort_", "sk_" or
// "whsec_" prefix; the value of a field that carries a secret (code, code_verifier, token,
// refresh_token, password, client_secret, csrf, the session cookie, Authorization, ...) as
// name=value, name: value or JSON; and a bare run of 43 or more base64url characters with both
// cases of letters (codes, cookies, CSRF tokens). Ids, migration names, hex digests, UUIDs,
// the public "pk_<id>" and ordinary words pass.
std::string Scrub(std::string_view text);

// Builds the JSON line (through Scrub); exposed for tests.
std::string FormatLine(std::string_view level, std::string_view msg,
                       std::initializer_list<Field> fields);

}  // namespace oakgate::observe
