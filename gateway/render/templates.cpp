#include "gateway/render/templates.hpp"

#include <filesystem>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <sstream>
#include <stdexcept>

namespace oakgate::render {
namespace {

namespace mst = kainjow::mustache;

mst::data ToData(const nlohmann::json& j) {
  if (j.is_object()) {
    mst::data d{mst::data::type::object};
    for (const auto& [k, v] : j.items()) d.set(k, ToData(v));
    return d;
  }
  if (j.is_array()) {
    mst::data list{mst::data::type::list};
    for (const auto& v : j) list.push_back(ToData(v));
    return list;
  }
  if (j.is_boolean())
    return j.get<bool>() ? mst::data{mst::data::type::bool_true}
                         : mst::data{mst::data::type::bool_false};
  if (j.is_string()) return mst::data{j.get<std::string>()};
  if (j.is_null()) return mst::data{mst::data::type::bool_false};
  return mst::data{j.dump()};
}

}  // namespace

struct Templates::Impl {
  std::map<std::string, std::string> sources;
};

Templates::Templates(const std::string& dir) : impl_(std::make_unique<Impl>()) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw std::runtime_error("templates directory not found: " + dir);
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".html") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    mst::mustache check(text.str());
    if (!check.is_valid()) {
      throw std::runtime_error("template " + entry.path().string() + ": " + check.error_message());
    }
    impl_->sources[entry.path().filename().string()] = text.str();
  }
  for (const char* required : {"login.html", "error.html", "home.html", "consent.html"}) {
    if (!impl_->sources.count(required)) {
      throw std::runtime_error(std::string("missing template ") + required + " in " + dir);
    }
  }
}

Templates::~Templates() = default;

std::string Templates::Render(const std::string& name, const nlohmann::json& view) const {
  auto it = impl_->sources.find(name);
  if (it == impl_->sources.end()) throw std::runtime_error("unknown template " + name);
  mst::mustache tmpl(it->second);  // escaping of {{x}} is on by default
  return tmpl.render(ToData(view));
}

std::string Templates::DefaultDir() {
#ifdef OAKGATE_INSTALLED_TEMPLATES
  if (std::filesystem::is_directory(OAKGATE_INSTALLED_TEMPLATES)) {
    return OAKGATE_INSTALLED_TEMPLATES;
  }
#endif
  return "templates";
}

}  // namespace oakgate::render
