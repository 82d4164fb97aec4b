#pragma once
// HTML templates (kainjow mustache, escaping on: {{x}} is always HTML-escaped). All
// templates are read once at start; a page is rendered from a JSON view model.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace oakgate::render {

class Templates {
 public:
  // Loads every *.html in `dir`; throws std::runtime_error if the directory or one of the
  // required templates is missing or does not parse.
  explicit Templates(const std::string& dir);
  ~Templates();
  std::string Render(const std::string& name, const nlohmann::json& view) const;

  // The templates directory to use when none is configured: the installed one if present,
  // else ./templates.
  static std::string DefaultDir();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace oakgate::render
