#pragma once
// Configuration as plain structs. Precedence, highest first: command-line flags,
// environment variables (OAKGATE_*), the JSON file named by OAKGATE_CONFIG, defaults.
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gateway/config/secrets.hpp"
#include "gateway/util/net.hpp"

namespace oakgate::config {

struct Config {
  std::string database_url;
  std::string listen = "127.0.0.1:4000";
  std::string issuer = "http://127.0.0.1:4000";
  std::string secret;
  std::string secret_previous;
  int threads = 0;  // 0: number of cores
  int db_pool = 0;  // 0: 2 x cores
  int access_token_ttl = 3600;
  int refresh_token_ttl = 2592000;
  int refresh_idle_ttl = 1209600;  // 14 days; 0: no idle limit
  int code_ttl = 60;
  int session_ttl = 43200;
  int session_idle_ttl = 1800;
  int refresh_grace = 0;
  std::optional<bool> cookie_secure;  // unset: true when the issuer is https
  std::string templates_dir;          // empty: installed templates, else ./templates
  std::string log_level = "info";
  bool auto_migrate = true;
  // Webhooks (CONTRACT §11): http and loopback/private addresses only when allowed (tests,
  // private networks); the first retry's delay (doubled each attempt, with jitter, for 24 h);
  // how often a sender looks for due deliveries when not woken; concurrent deliveries of an
  // instance (0: no sender in this process).
  bool webhook_allow_private = false;
  int webhook_retry_base_ms = 5000;
  int webhook_poll_ms = 1000;
  int webhook_senders = 8;
  int max_request_bytes = 65536;
  // HTTP timeouts (seconds) and load shedding.
  int header_timeout = 10;
  int body_timeout = 30;
  int idle_timeout = 75;
  int worker_queue = 1024;
  int drain_timeout = 25;
  // While draining, idle keep-alive connections are closed after this long (ms): above the
  // proxy's upstream keepalive_timeout (Nginx: 2 s in nginx/oakgate.conf.in).
  int drain_idle_grace_ms = 4000;
  // How many scrypt computations may run at once (each needs 32 MiB); 0: number of cores.
  int password_hash_concurrency = 0;
  // Pruning (CONTRACT §7): how often the gateway deletes what is past its use (0: never;
  // `oakgate prune` still works), and how long decisions and audit events are kept.
  int prune_interval = 300;
  int decision_retention_days = 90;
  int audit_retention_days = 365;
  // Peers whose X-Forwarded-For is believed: addresses or CIDR ranges separated by commas or
  // spaces. Empty (the default): nobody, the TCP peer is the client. Behind Nginx on the
  // same host set it to 127.0.0.1 (and ::1).
  std::string trusted_proxies;
  // The blue/green colour of this instance; when set every response carries
  // X-Oakgate-Colour. [A-Za-z0-9_-]{1,32}.
  std::string colour;
  // The decision log's group commit: each of `decision_writers` threads writes what is queued
  // as one batch of at most `decision_batch_size` decisions, once it is full or its first
  // decision has waited `decision_batch_delay_ms` (0: at once).
  int decision_batch_size = 64;
  int decision_batch_delay_ms = 0;
  // More than one overlaps commits (for slow disks), but then a decision may become visible
  // after one with a higher seq, which a reader paging newest-first could have passed.
  int decision_writers = 1;
  // Dynamic client registration (RFC 7591): open, token (needs an initial access token from
  // `oakgate registration-token create`) or off; private-use redirect URI schemes allowed
  // (space-separated); attempts per address per window; how long a registered client that
  // was never issued a code is kept.
  std::string registration = "open";
  // Self-service sign-up at /web/signup (CONTRACT §9): off, invite (only through an
  // invitation, for its email) or open (anyone).
  std::string signup = "invite";
  std::string registration_redirect_schemes;
  int registration_rate_limit = 20;
  int registration_window = 3600;
  int registration_unused_ttl = 86400;
  // Failed lookups (unknown tokens at /oauth/introspect and /oauth/revoke, malformed or unknown
  // API keys at /v1/validate) one client address may make a minute, as a burst and then
  // refilled at that rate, across all instances; beyond it every lookup from the address is
  // 429 until the allowance refills. 0: off.
  int lookup_failures_per_minute = 600;
  // The legacy JWT bridge (CONTRACT §12): off unless a key is set. An HS256 secret (at least
  // 32 bytes) and/or a PEM public key file (RSA >= 2048 bits for RS256, EC P-256 for ES256);
  // iss and aud checked when set; the claim naming the oakgate user (its email, or its id);
  // the client exchanged tokens are issued to ("" : no exchange); an HTTP date for Sunset.
  std::string legacy_jwt_hs256_secret;
  std::string legacy_jwt_public_key_file;
  std::string legacy_jwt_issuer;
  std::string legacy_jwt_audience;
  std::string legacy_jwt_user_claim = "email";
  std::string legacy_exchange_client;
  std::string legacy_sunset;
  // Secrets from files (issue 25): a path for each secret setting, and the database
  // password, which is added to database_url. Resolved by Load (secrets.hpp): afterwards the
  // secret settings hold the secrets, whatever their source.
  std::string secret_file;
  std::string secret_previous_file;
  std::string legacy_jwt_hs256_secret_file;
  std::string database_password_file;
  bool LegacyJwtEnabled() const {
    return !legacy_jwt_hs256_secret.empty() || !legacy_jwt_public_key_file.empty();
  }

  bool CookieSecure() const;
  int Threads() const;
  int DbPool() const;
  int PasswordHashConcurrency() const;
  // trusted_proxies parsed (Load has already checked that it parses).
  std::vector<util::IpRange> TrustedProxies() const;
  std::string ListenHost() const;
  int ListenPort() const;
};

// A key that is unknown or a value that does not parse: exit code 2, naming the key.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& key, const std::string& message)
      : std::runtime_error(key + ": " + message), key_(key) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// `flags` maps JSON key names to values given on the command line.
Config Load(const std::map<std::string, std::string>& flags, const EnvLookup& env);
// The same, reading secret files and systemd credentials through `read`.
Config Load(const std::map<std::string, std::string>& flags, const EnvLookup& env,
            const FileReader& read);
Config LoadFromProcess(const std::map<std::string, std::string>& flags);

// Checks what `serve` needs (database_url, a secret of at least 32 characters, a valid
// listen address and issuer, no secret that is a placeholder of the example files); throws
// ConfigError.
void ValidateForServe(const Config& config);
void ValidateDatabase(const Config& config);

}  // namespace oakgate::config
