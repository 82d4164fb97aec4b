#include "gateway/config/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "gateway/util/strings.hpp"

namespace oakgate::config {
namespace {

enum class Kind { kString, kInt, kBool };

struct Key {
  const char* json;
  const char* env;
  Kind kind;
  std::function<void(Config&, const std::string&)> set_string;
  std::function<void(Config&, long long)> set_int;
  std::function<void(Config&, bool)> set_bool;
  long long min = 0;
  long long max = 0;
};

Key Str(const char* json, const char* env, std::string Config::*member) {
  return Key{json,          env,
             Kind::kString, [member](Config& c, const std::string& v) { c.*member = v; },
             nullptr,       nullptr};
}
Key Int(const char* json, const char* env, int Config::*member, long long min, long long max) {
  return Key{json,
             env,
             Kind::kInt,
             nullptr,
             [member](Config& c, long long v) { c.*member = static_cast<int>(v); },
             nullptr,
             min,
             max};
}
Key Bool(const char* json, const char* env, bool Config::*member) {
  return Key{json,    env,     Kind::kBool,
             nullptr, nullptr, [member](Config& c, bool v) { c.*member = v; }};
}

const std::vector<Key>& Keys() {
  static const std::vector<Key> keys = [] {
    std::vector<Key> k;
    k.push_back(Str("database_url", "OAKGATE_DATABASE_URL", &Config::database_url));
    k.push_back(Str("listen", "OAKGATE_LISTEN", &Config::listen));
    k.push_back(Str("issuer", "OAKGATE_ISSUER", &Config::issuer));
    k.push_back(Str("secret", "OAKGATE_SECRET", &Config::secret));
    k.push_back(Str("secret_previous", "OAKGATE_SECRET_PREVIOUS", &Config::secret_previous));
    k.push_back(Int("threads", "OAKGATE_THREADS", &Config::threads, 0, 256));
    k.push_back(Int("db_pool", "OAKGATE_DB_POOL", &Config::db_pool, 0, 1024));
    k.push_back(Int("access_token_ttl", "OAKGATE_ACCESS_TOKEN_TTL", &Config::access_token_ttl, 1,
                    31536000));
    k.push_back(Int("refresh_token_ttl", "OAKGATE_REFRESH_TOKEN_TTL", &Config::refresh_token_ttl, 1,
                    315360000));
    k.push_back(Int("refresh_idle_ttl", "OAKGATE_REFRESH_IDLE_TTL", &Config::refresh_idle_ttl, 0,
                    315360000));
    k.push_back(Int("code_ttl", "OAKGATE_CODE_TTL", &Config::code_ttl, 1, 600));
    k.push_back(Int("session_ttl", "OAKGATE_SESSION_TTL", &Config::session_ttl, 1, 31536000));
    k.push_back(Int("session_idle_ttl", "OAKGATE_SESSION_IDLE_TTL", &Config::session_idle_ttl, 1,
                    31536000));
    k.push_back(Int("refresh_grace", "OAKGATE_REFRESH_GRACE", &Config::refresh_grace, 0, 3600));
    k.push_back(Key{"cookie_secure", "OAKGATE_COOKIE_SECURE", Kind::kBool, nullptr, nullptr,
                    [](Config& c, bool v) { c.cookie_secure = v; }});
    k.push_back(Str("templates_dir", "OAKGATE_TEMPLATES_DIR", &Config::templates_dir));
    k.push_back(Str("log_level", "OAKGATE_LOG_LEVEL", &Config::log_level));
    k.push_back(Bool("auto_migrate", "OAKGATE_AUTO_MIGRATE", &Config::auto_migrate));
    k.push_back(Int("max_request_bytes", "OAKGATE_MAX_REQUEST_BYTES", &Config::max_request_bytes,
                    1024, 16 * 1024 * 1024));
    k.push_back(Int("header_timeout", "OAKGATE_HEADER_TIMEOUT", &Config::header_timeout, 1, 600));
    k.push_back(Int("body_timeout", "OAKGATE_BODY_TIMEOUT", &Config::body_timeout, 1, 3600));
    k.push_back(Int("idle_timeout", "OAKGATE_IDLE_TIMEOUT", &Config::idle_timeout, 1, 3600));
    k.push_back(Int("worker_queue", "OAKGATE_WORKER_QUEUE", &Config::worker_queue, 1, 1000000));
    k.push_back(Int("drain_timeout", "OAKGATE_DRAIN_TIMEOUT", &Config::drain_timeout, 0, 3600));
    k.push_back(Int("drain_idle_grace_ms", "OAKGATE_DRAIN_IDLE_GRACE_MS",
                    &Config::drain_idle_grace_ms, 0, 600000));
    k.push_back(Int("password_hash_concurrency", "OAKGATE_PASSWORD_HASH_CONCURRENCY",
                    &Config::password_hash_concurrency, 0, 256));
    k.push_back(Int("prune_interval", "OAKGATE_PRUNE_INTERVAL", &Config::prune_interval, 0, 86400));
    k.push_back(Int("decision_retention_days", "OAKGATE_DECISION_RETENTION_DAYS",
                    &Config::decision_retention_days, 1, 36500));
    k.push_back(Int("audit_retention_days", "OAKGATE_AUDIT_RETENTION_DAYS",
                    &Config::audit_retention_days, 1, 36500));
    k.push_back(Str("trusted_proxies", "OAKGATE_TRUSTED_PROXIES", &Config::trusted_proxies));
    k.push_back(Str("colour", "OAKGATE_COLOUR", &Config::colour));
    k.push_back(Int("decision_batch_size", "OAKGATE_DECISION_BATCH_SIZE",
                    &Config::decision_batch_size, 1, 10000));
    k.push_back(Int("decision_batch_delay_ms", "OAKGATE_DECISION_BATCH_DELAY_MS",
                    &Config::decision_batch_delay_ms, 0, 1000));
    k.push_back(
        Int("decision_writers", "OAKGATE_DECISION_WRITERS", &Config::decision_writers, 1, 16));
    k.push_back(Str("registration", "OAKGATE_REGISTRATION", &Config::registration));
    k.push_back(Str("signup", "OAKGATE_SIGNUP", &Config::signup));
    k.push_back(Bool("webhook_allow_private", "OAKGATE_WEBHOOK_ALLOW_PRIVATE",
                     &Config::webhook_allow_private));
    k.push_back(Int("webhook_retry_base_ms", "OAKGATE_WEBHOOK_RETRY_BASE_MS",
                    &Config::webhook_retry_base_ms, 10, 3600000));
    k.push_back(
        Int("webhook_poll_ms", "OAKGATE_WEBHOOK_POLL_MS", &Config::webhook_poll_ms, 10, 60000));
    k.push_back(Int("webhook_senders", "OAKGATE_WEBHOOK_SENDERS", &Config::webhook_senders, 0, 64));
    k.push_back(Str("registration_redirect_schemes", "OAKGATE_REGISTRATION_REDIRECT_SCHEMES",
                    &Config::registration_redirect_schemes));
    k.push_back(Int("registration_rate_limit", "OAKGATE_REGISTRATION_RATE_LIMIT",
                    &Config::registration_rate_limit, 1, 1000000));
    k.push_back(Int("registration_window", "OAKGATE_REGISTRATION_WINDOW",
                    &Config::registration_window, 1, 86400));
    k.push_back(Int("registration_unused_ttl", "OAKGATE_REGISTRATION_UNUSED_TTL",
                    &Config::registration_unused_ttl, 60, 31536000));
    k.push_back(Int("lookup_failures_per_minute", "OAKGATE_LOOKUP_FAILURES_PER_MINUTE",
                    &Config::lookup_failures_per_minute, 0, 1000000));
    // Legacy JWT bridge (CONTRACT §12)
    k.push_back(Str("legacy_jwt_hs256_secret", "OAKGATE_LEGACY_JWT_HS256_SECRET",
                    &Config::legacy_jwt_hs256_secret));
    k.push_back(Str("legacy_jwt_public_key_file", "OAKGATE_LEGACY_JWT_PUBLIC_KEY_FILE",
                    &Config::legacy_jwt_public_key_file));
    k.push_back(Str("legacy_jwt_issuer", "OAKGATE_LEGACY_JWT_ISSUER", &Config::legacy_jwt_issuer));
    k.push_back(
        Str("legacy_jwt_audience", "OAKGATE_LEGACY_JWT_AUDIENCE", &Config::legacy_jwt_audience));
    k.push_back(Str("legacy_jwt_user_claim", "OAKGATE_LEGACY_JWT_USER_CLAIM",
                    &Config::legacy_jwt_user_claim));
    k.push_back(Str("legacy_exchange_client", "OAKGATE_LEGACY_EXCHANGE_CLIENT",
                    &Config::legacy_exchange_client));
    k.push_back(Str("legacy_sunset", "OAKGATE_LEGACY_SUNSET", &Config::legacy_sunset));
    // Secrets from files (issue 25)
    k.push_back(Str("secret_file", "OAKGATE_SECRET_FILE", &Config::secret_file));
    k.push_back(
        Str("secret_previous_file", "OAKGATE_SECRET_PREVIOUS_FILE", &Config::secret_previous_file));
    k.push_back(Str("legacy_jwt_hs256_secret_file", "OAKGATE_LEGACY_JWT_HS256_SECRET_FILE",
                    &Config::legacy_jwt_hs256_secret_file));
    k.push_back(Str("database_password_file", "OAKGATE_DATABASE_PASSWORD_FILE",
                    &Config::database_password_file));
    return k;
  }();
  return keys;
}

const Key* FindKey(const std::string& json) {
  for (const auto& k : Keys()) {
    if (json == k.json) return &k;
  }
  return nullptr;
}

void ApplyText(Config& c, const Key& key, const std::string& text) {
  switch (key.kind) {
    case Kind::kString:
      key.set_string(c, text);
      return;
    case Kind::kInt: {
      auto v = util::ParseInt(text);
      if (!v) throw ConfigError(key.json, "expected an integer, got \"" + text + "\"");
      if (*v < key.min || *v > key.max) {
        throw ConfigError(key.json, "must be between " + std::to_string(key.min) + " and " +
                                        std::to_string(key.max));
      }
      key.set_int(c, *v);
      return;
    }
    case Kind::kBool: {
      std::string t = util::ToLower(text);
      if (t == "1" || t == "true" || t == "yes" || t == "on") {
        key.set_bool(c, true);
      } else if (t == "0" || t == "false" || t == "no" || t == "off") {
        key.set_bool(c, false);
      } else {
        throw ConfigError(key.json, "expected a boolean, got \"" + text + "\"");
      }
      return;
    }
  }
}

void ApplyJson(Config& c, const Key& key, const nlohmann::json& value) {
  switch (key.kind) {
    case Kind::kString:
      if (!value.is_string()) throw ConfigError(key.json, "expected a string");
      key.set_string(c, value.get<std::string>());
      return;
    case Kind::kInt:
      if (!value.is_number_integer()) throw ConfigError(key.json, "expected an integer");
      ApplyText(c, key, std::to_string(value.get<long long>()));
      return;
    case Kind::kBool:
      if (value.is_boolean()) {
        key.set_bool(c, value.get<bool>());
      } else if (value.is_number_integer() &&
                 (value.get<long long>() == 0 || value.get<long long>() == 1)) {
        key.set_bool(c, value.get<long long>() == 1);
      } else {
        throw ConfigError(key.json, "expected a boolean");
      }
      return;
  }
}

void ApplyFile(Config& c, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("OAKGATE_CONFIG", "cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) throw ConfigError("OAKGATE_CONFIG", path + " is not valid JSON");
  if (!doc.is_object()) throw ConfigError("OAKGATE_CONFIG", path + " must hold a JSON object");
  for (const auto& [name, value] : doc.items()) {
    const Key* key = FindKey(name);
    if (!key) throw ConfigError(name, "unknown configuration key in " + path);
    ApplyJson(c, *key, value);
  }
}

// RFC 9110 §5.6.7 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT": the form Sunset takes
// (RFC 8594 §3).
bool IsImfFixdate(const std::string& s) {
  static const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return false;
  }
  auto digits = [&s](size_t at, size_t n) {
    for (size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
    }
    return std::stoi(s.substr(at, n));
  };
  bool day_ok = false;
  for (const char* d : kDays) day_ok = day_ok || s.compare(0, 3, d) == 0;
  bool month_ok = false;
  for (const char* m : kMonths) month_ok = month_ok || s.compare(8, 3, m) == 0;
  int mday = digits(5, 2), year = digits(12, 4), hour = digits(17, 2), minute = digits(20, 2),
      second = digits(23, 2);
  return day_ok && month_ok && mday >= 1 && mday <= 31 && year >= 1970 && hour >= 0 && hour <= 23 &&
         minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

// Each secret from its one source: value, file or systemd credential (secrets.hpp). The
// credential names are fixed: LoadCredential=oakgate.secret in the unit, and so on.
void ResolveSecrets(Config& c, const EnvLookup& env, const FileReader& read) {
  std::string credentials = env("CREDENTIALS_DIRECTORY").value_or("");
  struct Entry {
    SecretSource source;
    std::string Config::*value;
    std::string Config::*file;
  };
  static const Entry kEntries[] = {
      {{"secret", "OAKGATE_SECRET", "secret_file", "OAKGATE_SECRET_FILE", "oakgate.secret"},
       &Config::secret,
       &Config::secret_file},
      {{"secret_previous", "OAKGATE_SECRET_PREVIOUS", "secret_previous_file",
        "OAKGATE_SECRET_PREVIOUS_FILE", "oakgate.secret_previous"},
       &Config::secret_previous,
       &Config::secret_previous_file},
      {{"legacy_jwt_hs256_secret", "OAKGATE_LEGACY_JWT_HS256_SECRET",
        "legacy_jwt_hs256_secret_file", "OAKGATE_LEGACY_JWT_HS256_SECRET_FILE",
        "oakgate.legacy_jwt_hs256_secret"},
       &Config::legacy_jwt_hs256_secret,
       &Config::legacy_jwt_hs256_secret_file},
  };
  for (const auto& e : kEntries) {
    c.*e.value = ResolveSecret(e.source, c.*e.value, c.*e.file, credentials, read).value_or("");
  }
  // The database password's "value" is one written into database_url.
  static const SecretSource kDatabase{"database_url", "OAKGATE_DATABASE_URL's password",
                                      "database_password_file", "OAKGATE_DATABASE_PASSWORD_FILE",
                                      "oakgate.database_password"};
  std::string in_url = DatabaseUrlHasPassword(c.database_url) ? "(in the URL)" : "";
  auto password = ResolveSecret(kDatabase, in_url, c.database_password_file, credentials, read);
  if (password && in_url.empty()) {
    c.database_url = DatabaseUrlWithPassword(c.database_url, *password);
  }
}

void ValidateLegacyJwt(const Config& c) {
  const std::string& claim = c.legacy_jwt_user_claim;
  bool ok = !claim.empty() && claim.size() <= 64;
  for (char ch : claim) {
    ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                ch == '_' || ch == '-' || ch == '.' || ch == ':');
  }
  if (!ok) throw ConfigError("legacy_jwt_user_claim", "expected a claim name of [A-Za-z0-9_.:-]");
  if (!c.legacy_sunset.empty() && !IsImfFixdate(c.legacy_sunset)) {
    throw ConfigError("legacy_sunset",
                      "expected an HTTP date such as \"Sun, 06 Nov 1994 08:49:37 GMT\"");
  }
  // RFC 7518 §3.2: an HS256 key of at least 256 bits.
  if (!c.legacy_jwt_hs256_secret.empty() && c.legacy_jwt_hs256_secret.size() < 32) {
    throw ConfigError("legacy_jwt_hs256_secret", "must be at least 32 bytes");
  }
  if (!c.legacy_exchange_client.empty() && !c.LegacyJwtEnabled()) {
    throw ConfigError("legacy_exchange_client",
                      "needs legacy_jwt_hs256_secret or legacy_jwt_public_key_file");
  }
}

}  // namespace

bool Config::CookieSecure() const {
  if (cookie_secure) return *cookie_secure;
  return issuer.rfind("https://", 0) == 0;
}

int Config::Threads() const {
  int cores = static_cast<int>(std::thread::hardware_concurrency());
  return threads > 0 ? threads : (cores > 0 ? cores : 2);
}

std::vector<util::IpRange> Config::TrustedProxies() const {
  return util::ParseIpRangeList(trusted_proxies).value_or(std::vector<util::IpRange>{});
}

// Workers mostly wait on PostgreSQL (a commit waits for its WAL flush, which PostgreSQL shares
// among concurrent commits), so they are many more than cores; at most 32 by default, so two
// colours stay well within PostgreSQL's default 100 connections.
int Config::DbPool() const { return db_pool > 0 ? db_pool : std::min(32, 8 * Threads()); }

int Config::PasswordHashConcurrency() const {
  return password_hash_concurrency > 0 ? password_hash_concurrency : Threads();
}

std::string Config::ListenHost() const {
  size_t colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host;
}

int Config::ListenPort() const {
  size_t colon = listen.rfind(':');
  auto port = util::ParseInt(listen.substr(colon + 1));
  return port ? static_cast<int>(*port) : -1;
}

Config Load(const std::map<std::string, std::string>& flags, const EnvLookup& env) {
  return Load(flags, env, ReadSecretFile);
}

Config Load(const std::map<std::string, std::string>& flags, const EnvLookup& env,
            const FileReader& read) {
  Config c;
  if (auto file = env("OAKGATE_CONFIG"); file && !file->empty()) ApplyFile(c, *file);
  for (const auto& key : Keys()) {
    if (auto v = env(key.env)) ApplyText(c, key, *v);
  }
  for (const auto& [name, value] : flags) {
    const Key* key = FindKey(name);
    if (!key) throw ConfigError(name, "unknown configuration key");
    ApplyText(c, *key, value);
  }
  if (c.log_level != "trace" && c.log_level != "debug" && c.log_level != "info" &&
      c.log_level != "warn" && c.log_level != "error") {
    throw ConfigError("log_level", "must be one of trace, debug, info, warn, error");
  }
  if (c.ListenPort() <= 0 || c.ListenPort() > 65535 || c.ListenHost().empty() ||
      c.listen.find(':') == std::string::npos) {
    throw ConfigError("listen", "expected HOST:PORT, got \"" + c.listen + "\"");
  }
  if (!(c.issuer.rfind("http://", 0) == 0 || c.issuer.rfind("https://", 0) == 0) ||
      c.issuer.back() == '/' || c.issuer.find('?') != std::string::npos ||
      c.issuer.find('#') != std::string::npos) {
    throw ConfigError("issuer",
                      "must be an http(s) URL without a trailing slash, query or fragment");
  }
  std::string bad;
  if (!util::ParseIpRangeList(c.trusted_proxies, &bad)) {
    throw ConfigError("trusted_proxies",
                      "expected IP addresses or CIDR ranges, got \"" + bad + "\"");
  }
  if (c.signup != "off" && c.signup != "invite" && c.signup != "open") {
    throw ConfigError("signup", "must be one of off, invite, open");
  }
  if (c.registration != "open" && c.registration != "token" && c.registration != "off") {
    throw ConfigError("registration", "must be one of open, token, off");
  }
  for (const std::string& scheme : util::SplitList(c.registration_redirect_schemes)) {
    bool ok = scheme.front() >= 'a' && scheme.front() <= 'z';
    for (char ch : scheme) {
      ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+' || ch == '-' ||
                  ch == '.');
    }
    // RFC 8252 §7.1: private-use schemes; http(s) are governed by their own rules.
    if (!ok || scheme == "http" || scheme == "https") {
      throw ConfigError("registration_redirect_schemes",
                        "expected lower-case URI schemes separated by spaces");
    }
  }
  if (!c.colour.empty()) {
    bool ok = c.colour.size() <= 32;
    for (char ch : c.colour) {
      ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_');
    }
    // It goes into a response header: nothing but a plain token.
    if (!ok) throw ConfigError("colour", "expected 1 to 32 of [A-Za-z0-9_-]");
  }
  ResolveSecrets(c, env, read);
  ValidateLegacyJwt(c);
  return c;
}

Config LoadFromProcess(const std::map<std::string, std::string>& flags) {
  return Load(flags, [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  });
}

void ValidateDatabase(const Config& config) {
  if (config.database_url.empty()) {
    throw ConfigError("database_url", "is required (set OAKGATE_DATABASE_URL)");
  }
}

void ValidateForServe(const Config& config) {
  ValidateDatabase(config);
  if (config.secret.empty()) throw ConfigError("secret", "is required (set OAKGATE_SECRET)");
  if (config.secret.size() < 32) throw ConfigError("secret", "must be at least 32 characters");
  if (!config.secret_previous.empty() && config.secret_previous.size() < 32) {
    throw ConfigError("secret_previous", "must be at least 32 characters");
  }
  // A secret copied from an example file is known to everyone who read the repository.
  for (const auto& [key, value] :
       {std::pair<const char*, const std::string&>{"secret", config.secret},
        {"secret_previous", config.secret_previous},
        {"legacy_jwt_hs256_secret", config.legacy_jwt_hs256_secret}}) {
    if (!value.empty() && IsPlaceholderSecret(value)) {
      throw ConfigError(key,
                        "is a placeholder published in oakgate's examples or documents, known to "
                        "anyone; generate one with `openssl rand -base64 48`");
    }
  }
}

}  // namespace oakgate::config
