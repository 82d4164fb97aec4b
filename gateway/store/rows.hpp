#pragma once
// Row structs shared by the storage interfaces. Times are Unix seconds.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace oakgate::store {

struct User {
  std::string id;
  std::string email;
  std::string password_hash;
  bool is_admin = false;
  bool disabled = false;
};

struct Client {
  std::string id;
  std::string name;
  std::optional<std::string> secret_hash;  // 32 raw bytes (SHA-256), confidential only
  std::optional<std::string> previous_secret_hash;
  std::optional<int64_t> previous_secret_expires_at;
  bool confidential = false;
  bool first_party = false;
  bool can_introspect = false;
  bool registered = false;         // made by dynamic registration (RFC 7591): never first-party
  bool requires_resource = false;  // authorization must name a resource (RFC 8707)
  std::vector<std::string> redirect_uris;
  std::vector<std::string> scopes;
  std::vector<std::string> grant_types;
  int64_t created_at = 0;
};

// A protected resource (RFC 8707) and the confidential clients that may introspect its tokens.
struct Resource {
  std::string uri;  // normalised (oauth::NormalizeResourceUri)
  std::string name;
  std::vector<std::string> scopes;
  std::vector<std::string> introspectors;  // client ids
  int64_t created_at = 0;
};

struct Session {
  int64_t id = 0;
  std::string user_id;
  std::string email;
  bool is_admin = false;
  int64_t expires_at = 0;
};

// A live browser session as the credentials page lists it.
struct SessionInfo {
  int64_t id = 0;
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
  int64_t expires_at = 0;  // the earlier of the absolute and the idle expiry
  std::string client_address;
  std::string user_agent;
};

// A live OAuth grant (a token family) of a user.
struct Grant {
  int64_t family_id = 0;
  std::string client_id;
  std::string client_name;
  std::vector<std::string> scopes;
  int64_t created_at = 0;    // first use
  int64_t last_used_at = 0;  // last issue or refresh
  int64_t expires_at = 0;
};

struct UserSummary {
  std::string id;
  std::string email;
  bool is_admin = false;
  bool disabled = false;
  int64_t created_at = 0;
};

struct LoginFailureCounts {
  int64_t pair = 0;     // this account from this address
  int64_t address = 0;  // any account from this address
  int64_t account = 0;  // this account from any address
  // Seconds until the oldest failure of each kind leaves the window.
  int64_t pair_retry = 0;
  int64_t address_retry = 0;
  int64_t account_retry = 0;
};

struct ClientAuthFailureCounts {
  int64_t client = 0;   // this client id from any address
  int64_t address = 0;  // any client id from this address
  int64_t client_retry = 0;
  int64_t address_retry = 0;
};

}  // namespace oakgate::store
