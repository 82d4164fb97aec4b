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

// A run that looks like one of our random secrets: long, with an upper-case letter or a digit
// (43 CSPRNG characters nearly always have both), and not merely hex or a UUID.
bool LooksSecret(std::string_view run) {
  if (run.size() < 32) return false;
  bool mixed = false, beyond_hex = false;
  for (char c : run) {
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) mixed = true;
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-')) beyond_hex = true;
  }
  return mixed && beyond_hex;
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
    if (!LooksSecret(run)) {
      out += run;
      continue;
    }
    for (std::string_view prefix : {"oat_", "ort_", "sk_"}) {
      if (run.substr(0, prefix.size()) == prefix) {
        out += prefix;
        break;
      }
    }
    out += "[redacted]";
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
