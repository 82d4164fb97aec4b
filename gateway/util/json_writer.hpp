#pragma once
// JSON text written by hand, for the answers and batches on hot paths, where a nlohmann tree
// costs a std::map and an allocation per field. Strings are escaped as RFC 8259 requires;
// text that is not valid UTF-8 has its bad bytes replaced (as nlohmann's `replace` does)
// rather than failing the whole document.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oakgate::util {

// Appends `s` as a JSON string, quotes included.
void AppendJsonString(std::string& out, std::string_view s);

// One object, field by field, appended to `out`:
//   JsonObject(out).Add("id", id).Add("allowed", true).Close();
// Names are the caller's constants and are written as they are.
class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_ += '{'; }
  JsonObject& Add(std::string_view name, std::string_view value);
  JsonObject& Add(std::string_view name, const char* value) {
    return Add(name, std::string_view(value));
  }
  JsonObject& Add(std::string_view name, const std::string& value) {
    return Add(name, std::string_view(value));
  }
  JsonObject& Add(std::string_view name, bool value);
  JsonObject& Add(std::string_view name, int64_t value);
  JsonObject& Add(std::string_view name, std::nullptr_t);
  // A string, or null when absent.
  JsonObject& Add(std::string_view name, const std::optional<std::string>& value);
  // The field only when set: a reader takes a missing field as null.
  JsonObject& AddIfSet(std::string_view name, const std::optional<std::string>& value);
  // `json` is JSON text already (made by a serializer), copied as it is.
  JsonObject& AddRaw(std::string_view name, std::string_view json);
  void Close() { out_ += '}'; }

 private:
  void Name(std::string_view name);

  std::string& out_;
  bool first_ = true;
};

}  // namespace oakgate::util
