#include "gateway/util/json_writer.hpp"

#include <nlohmann/json.hpp>

#include "gateway/util/strings.hpp"

namespace oakgate::util {

void AppendJsonString(std::string& out, std::string_view s) {
  if (!IsValidUtf8(s)) {
    out += nlohmann::json(std::string(s))
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

void JsonObject::Name(std::string_view name) {
  if (!first_) out_ += ',';
  first_ = false;
  out_ += '"';
  out_ += name;
  out_ += "\":";
}

JsonObject& JsonObject::Add(std::string_view name, std::string_view value) {
  Name(name);
  AppendJsonString(out_, value);
  return *this;
}

JsonObject& JsonObject::Add(std::string_view name, bool value) {
  Name(name);
  out_ += value ? "true" : "false";
  return *this;
}

JsonObject& JsonObject::Add(std::string_view name, int64_t value) {
  Name(name);
  out_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::Add(std::string_view name, std::nullptr_t) {
  Name(name);
  out_ += "null";
  return *this;
}

JsonObject& JsonObject::Add(std::string_view name, const std::optional<std::string>& value) {
  if (!value) return Add(name, nullptr);
  return Add(name, std::string_view(*value));
}

JsonObject& JsonObject::AddIfSet(std::string_view name, const std::optional<std::string>& value) {
  if (value) Add(name, std::string_view(*value));
  return *this;
}

JsonObject& JsonObject::AddRaw(std::string_view name, std::string_view json) {
  Name(name);
  out_ += json;
  return *this;
}

}  // namespace oakgate::util
