#include "gateway/handlers/json_body.hpp"

#include <set>

namespace oakgate::handlers {

JsonBody ParseJsonBody(std::string_view body) {
  JsonBody out;
  std::set<std::string> keys;
  bool too_deep = false;
  nlohmann::json::parser_callback_t cb = [&](int depth, nlohmann::json::parse_event_t event,
                                             nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if ((event == Event::object_start || event == Event::array_start) && depth >= kMaxJsonDepth) {
      too_deep = true;
    }
    if (event == Event::key && depth == 1 && parsed.is_string() && !out.repeated_key) {
      if (!keys.insert(parsed.get<std::string>()).second)
        out.repeated_key = parsed.get<std::string>();
    }
    // Past the limit nothing is kept, so the document stays shallow while parsing goes on.
    return !too_deep;
  };
  out.doc = nlohmann::json::parse(body.begin(), body.end(), cb, /*allow_exceptions=*/false);
  if (too_deep) {
    out.doc = nlohmann::json(nlohmann::json::value_t::discarded);
    out.error = "the body is nested more than " + std::to_string(kMaxJsonDepth) + " levels deep";
  } else if (out.doc.is_discarded()) {
    out.error = "the body is not JSON";
  } else if (!out.doc.is_object()) {
    out.error = "the body must be a JSON object";
  }
  return out;
}

}  // namespace oakgate::handlers
