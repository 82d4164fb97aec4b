#pragma once
// Sealing a new API key into the dashboard's one-time slot (issue 29, sql/0008). The POST that
// creates a key answers 303, so the key must wait in PostgreSQL until the page it redirects to
// shows it. It waits sealed to the session cookie, which only the browser holds (the server
// stores its SHA-256): a copy of the database alone opens no slot.
//
// The stream is HMAC-SHA256(cookie, label | key id | block number), used once: a slot is
// written once per key id, and key ids are never reused. A tag over the sealed bytes makes a
// slot opened with another session's cookie, or altered, fail instead of showing garbage.
#include <optional>
#include <string>
#include <string_view>

namespace oakgate::handlers::dashboard {

// tag (32 bytes) followed by the key XOR the stream; at most 480 bytes of key.
std::string SealReveal(std::string_view cookie, std::string_view key_id, std::string_view key);
// The key, or nullopt when `sealed` was not sealed with this cookie and key id.
std::optional<std::string> OpenReveal(std::string_view cookie, std::string_view key_id,
                                      std::string_view sealed);

}  // namespace oakgate::handlers::dashboard
