#include "gateway/observe/log.hpp"

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

namespace oakgate::observe {
namespace {

std::mutex g_init_mutex;
std::shared_ptr<spdlog::logger> g_logger;
spdlog::level::level_enum g_level = spdlog::level::info;

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buf, static_cast<int>(ms.count()));
  return out;
}

void Write(spdlog::level::level_enum level, std::string_view name, std::string_view msg,
           std::initializer_list<Field> fields) {
  if (level < g_level) return;
  std::string line = FormatLine(name, msg, fields);
  auto logger = std::atomic_load(&g_logger);
  if (logger) {
    logger->log(level, "{}", line);
  } else {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }
}

}  // namespace

void InitLogging(std::string_view level, size_t queue_size) {
  std::lock_guard lock(g_init_mutex);
  g_level = spdlog::level::from_str(std::string(level));
  if (g_logger) return;
  // A bounded queue: when full the oldest line is dropped (and counted) rather than
  // blocking a request thread on stdout.
  spdlog::init_thread_pool(queue_size, 1);
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto logger = std::make_shared<spdlog::async_logger>(
      "oakgate", sink, spdlog::thread_pool(), spdlog::async_overflow_policy::overrun_oldest);
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);
  std::atomic_store(&g_logger, std::static_pointer_cast<spdlog::logger>(logger));
}

void FlushLogging() {
  auto logger = std::atomic_load(&g_logger);
  if (logger) logger->flush();
}

uint64_t DroppedLogLines() {
  auto tp = spdlog::thread_pool();
  return tp ? tp->overrun_counter() : 0;
}

void Debug(std::string_view msg, std::initializer_list<Field> fields) {
  Write(spdlog::level::debug, "debug", msg, fields);
}
bool InfoEnabled() { return spdlog::level::info >= g_level; }

void Info(std::string_view msg, std::initializer_list<Field> fields) {
  Write(spdlog::level::info, "info", msg, fields);
}
void Warn(std::string_view msg, std::initializer_list<Field> fields) {
  Write(spdlog::level::warn, "warn", msg, fields);
}
void Error(std::string_view msg, std::initializer_list<Field> fields) {
  Write(spdlog::level::err, "error", msg, fields);
}

std::string Redact(std::string_view value) {
  // API keys keep their public half (pk_<id>); tokens keep their 4-character type prefix.
  if (value.rfind("pk_", 0) == 0) {
    size_t dot = value.find('.');
    return std::string(value.substr(0, dot == std::string_view::npos ? 3 : dot)) + ".[redacted]";
  }
  if (value.size() > 4 && value[3] == '_') return std::string(value.substr(0, 4)) + "[redacted]";
  return "[redacted]";
}

namespace {

bool IsBase64Url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Prefixes of our secrets: what follows is secret whatever it looks like.
constexpr std::string_view kSecretPrefixes[] = {"oat_", "ort_", "sk_", "whsec_"};

// Names of the fields (form, query, cookie, JSON, header) that carry a secret.
constexpr std::string_view kSecretFields[] = {"code",
                                              "code_verifier",
                                              "refresh_token",
                                              "access_token",
                                              "token",
                                              "password",
                                              "client_secret",
                                              "secret",
                                              "csrf",
                                              "authorization",
                                              "subject_token",
                                              "assertion",
                                              "oakgate_session",
                                              "__Host-oakgate_session"};

bool IsSecretField(std::string_view name) {
  for (std::string_view f : kSecretFields) {
    if (EqualsIgnoreCase(name, f)) return true;
  }
  return false;
}

// The shape of an unprefixed secret of ours (codes, session cookies, CSRF tokens, state a
// client made random): 43 or more base64url characters, as 256 random bits encode, with both
// cases of letters. 43 random characters lack an upper-case (or a lower-case) letter with a
// probability of about 2e-10; identifiers, migration names, hex digests and UUIDs lack one.
bool LooksRandom(std::string_view run) {
  if (run.size() < 43) return false;
  bool upper = false, lower = false;
  for (char c : run) {
    upper = upper || (c >= 'A' && c <= 'Z');
    lower = lower || (c >= 'a' && c <= 'z');
  }
  return upper && lower;
}

bool EndsValue(char c) {
  return c == '&' || c == ';' || c == ',' || c == '"' || c == '\'' || c == ' ' || c == '\t' ||
         c == '\n' || c == '\r';
}

}  // namespace

std::string Scrub(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!IsBase64Url(text[i])) {
      out += text[i++];
      continue;
    }
    size_t start = i;
    while (i < text.size() && IsBase64Url(text[i])) ++i;
    std::string_view run = text.substr(start, i - start);

    bool prefixed = false;
    for (std::string_view prefix : kSecretPrefixes) {
      if (run.size() > prefix.size() && run.substr(0, prefix.size()) == prefix) {
        out += prefix;
        out += "[redacted]";
        prefixed = true;
        break;
      }
    }
    if (prefixed) continue;
    if (LooksRandom(run)) {
      out += "[redacted]";
      continue;
    }
    out += run;
    if (!IsSecretField(run)) continue;

    // name=value, "name":"value", "name": "value" and the header "Authorization: value": the
    // value is redacted. A bare "name: ..." is prose ("invalid token: malformed") and stays.
    size_t j = i;
    bool quoted = j < text.size() && text[j] == '"';  // the closing quote of a JSON key
    if (quoted) ++j;
    if (j >= text.size() || (text[j] != '=' && text[j] != ':')) continue;
    if (text[j] == ':' && !quoted && !EqualsIgnoreCase(run, "authorization")) continue;
    ++j;
    while (j < text.size() && text[j] == ' ') ++j;
    if (j < text.size() && text[j] == '"') ++j;  // the opening quote of a JSON string
    // An Authorization value keeps its scheme: "Bearer [redacted]".
    for (std::string_view scheme : {"Bearer ", "Basic "}) {
      if (text.substr(j, scheme.size()) == scheme) j += scheme.size();
    }
    size_t value = j;
    while (j < text.size() && !EndsValue(text[j])) {
      if (text[j] == '\\' && j + 1 < text.size()) ++j;
      ++j;
    }
    if (j == value) continue;
    out += text.substr(i, value - i);
    out += "[redacted]";
    i = j;
  }
  return out;
}

std::string FormatLine(std::string_view level, std::string_view msg,
                       std::initializer_list<Field> fields) {
  nlohmann::json j;
  j["ts"] = Timestamp();
  j["level"] = level;
  j["msg"] = Scrub(msg);
  for (const auto& [k, v] : fields) j[std::string(k)] = Scrub(v);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace oakgate::observe
