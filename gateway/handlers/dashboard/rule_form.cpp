#include "gateway/handlers/dashboard/rule_form.hpp"

#include <algorithm>
#include <map>
#include <regex>

#include "gateway/util/strings.hpp"

namespace oakgate::handlers::dashboard {
namespace {

// CONTRACT §10's operators, in the order the select offers them.
constexpr const char* kOps[] = {"eq", "ne",  "in", "not_in", "prefix", "glob",
                                "lt", "lte", "gt", "gte",    "exists"};
// The service's limit of conditions per rule: the form never offers more rows.
constexpr size_t kMaxConditionRows = 16;
// Empty rows offered below a rule's conditions, for new ones.
constexpr size_t kBlankRows = 2;

// A condition's value as typed in its row: JSON when it parses as JSON (100, true,
// ["a","b"], "5"), the text itself otherwise.
nlohmann::json ValueFromText(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? nlohmann::json(text) : j;
}

// The inverse of ValueFromText: a string that would read as JSON is shown quoted.
std::string ValueText(const nlohmann::json& value) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (!s.empty() && s == util::Trim(s) && nlohmann::json::parse(s, nullptr, false).is_discarded())
      return s;
  }
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The rule's conditions as rows of the form: [{"field", "op", "value"}] with the value as text.
nlohmann::json ConditionRows(const std::string& conditions_json) {
  nlohmann::json rows = nlohmann::json::array();
  auto conditions = nlohmann::json::parse(conditions_json, nullptr, false);
  if (!conditions.is_array()) return rows;
  for (const auto& c : conditions) {
    if (!c.is_object()) continue;
    rows.push_back({{"field", c.value("field", "")},
                    {"op", c.value("op", "")},
                    {"value", c.contains("value") ? ValueText(c["value"]) : ""}});
  }
  return rows;
}

std::string Readable(const nlohmann::json& rows) {
  std::string out;
  for (const auto& r : rows) {
    if (!out.empty()) out += " and ";
    out += r.value("field", "") + " " + r.value("op", "") + " " + r.value("value", "");
  }
  return out;
}

}  // namespace

nlohmann::json RuleView(const store::Rule& r) {
  nlohmann::json conditions = ConditionRows(r.conditions_json);
  return {{"id", r.id},
          {"tool", r.tool},
          {"scope", r.scope},
          {"effect", r.effect},
          {"ask", r.effect == "ask"},
          {"conditions", Readable(conditions)},
          {"has_conditions", !conditions.empty()},
          {"priority", std::to_string(r.priority)},
          {"approval_ttl", std::to_string(r.approval_ttl)},
          {"require_reasoning", r.require_reasoning}};
}

void RuleFields(const store::Rule& r, nlohmann::json& view) {
  view["rule_tool"] = r.tool;
  view["rule_scope"] = r.scope;
  view["rule_effect"] = r.effect;
  view["rule_require_reasoning"] = r.require_reasoning;
  view["rule_priority"] = std::to_string(r.priority);
  view["rule_approval_ttl"] = std::to_string(r.approval_ttl);
  view["rule_conditions"] = ConditionRows(r.conditions_json);
}

nlohmann::json TypedRuleFields(const http::Params& f) {
  nlohmann::json rows = nlohmann::json::array();
  for (size_t i = 0; i < kMaxConditionRows; ++i) {
    std::string n = std::to_string(i);
    std::string field(util::Trim(f.Get("cond_field_" + n).value_or("")));
    std::string value(util::Trim(f.Get("cond_value_" + n).value_or("")));
    // An empty row is no condition.
    if (field.empty() && value.empty()) continue;
    rows.push_back(
        {{"field", field}, {"op", f.Get("cond_op_" + n).value_or("eq")}, {"value", value}});
  }
  return {{"rule_tool", f.Get("tool").value_or("")},
          {"rule_scope", f.Get("scope").value_or("")},
          {"rule_effect", f.Get("effect").value_or("allow")},
          {"rule_require_reasoning", f.Get("require_reasoning").value_or("none")},
          {"rule_priority", f.Get("priority").value_or("")},
          {"rule_approval_ttl", f.Get("approval_ttl").value_or("")},
          {"rule_conditions", rows}};
}

std::optional<manage::DomainError> RuleFormInput(const http::Params& f, manage::RuleInput& input) {
  nlohmann::json typed = TypedRuleFields(f);
  input.tool = typed["rule_tool"].get<std::string>();
  input.scope = typed["rule_scope"].get<std::string>();
  input.effect = typed["rule_effect"].get<std::string>();
  input.require_reasoning = typed["rule_require_reasoning"].get<std::string>();
  // The rows sent, in order, so that the service's "conditions[i]" is the i-th non-empty row.
  nlohmann::json conditions = nlohmann::json::array();
  for (const auto& row : typed["rule_conditions"]) {
    conditions.push_back({{"field", row["field"]},
                          {"op", row["op"]},
                          {"value", ValueFromText(row["value"].get<std::string>())}});
  }
  input.conditions = conditions;
  // An empty number keeps the rule's (or the default, when adding).
  for (auto [name, out] :
       {std::pair{"priority", &input.priority}, std::pair{"approval_ttl", &input.approval_ttl}}) {
    std::string text(util::Trim(f.Get(name).value_or("")));
    if (text.empty()) continue;
    if (auto error = FormInt(text, name, *out)) return error;
  }
  return std::nullopt;
}

std::string RuleForm(const DashboardContext& ctx, const Visitor& v, const std::string& action,
                     bool creating, const nlohmann::json& view) {
  nlohmann::json form = {{"csrf", v.csrf},
                         {"action", action},
                         {"form_id", creating ? "create-rule" : "edit-rule"},
                         {"label", creating ? "Add a rule" : "Change the rule"},
                         {"submit", creating ? "Add rule" : "Save rule"},
                         {"failed", creating ? "Rule not added" : "Rule not saved"}};
  for (const auto& [key, value] : view.items()) {
    if (key.rfind("rule_", 0) == 0) form[key] = value;
  }
  if (!form.contains("rule_priority")) form["rule_priority"] = "0";
  if (!form.contains("rule_approval_ttl")) form["rule_approval_ttl"] = "3600";
  auto options = [&form](const char* name, const char* current,
                         std::initializer_list<std::pair<const char*, const char*>> choices) {
    std::string chosen = form.value(name, current);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [value, text] : choices) {
      list.push_back({{"value", value}, {"text", text}, {"selected", chosen == value}});
    }
    return list;
  };
  form["effect_options"] =
      options("rule_effect", "allow",
              {{"allow", "allow"}, {"deny", "deny"}, {"ask", "ask (a person approves)"}});
  form["reasoning_options"] =
      options("rule_require_reasoning", "none",
              {{"none", "none"}, {"soft", "soft (warn without)"}, {"hard", "hard (deny without)"}});
  // The service names a condition's error "conditions[i]" or "conditions[i].<key>": at row i.
  std::map<size_t, std::string> row_errors;
  static const std::regex kAt(R"(rule_error_conditions\[(\d{1,2})\].*)");
  for (const auto& [key, value] : view.items()) {
    std::smatch m;
    if (!std::regex_match(key, m, kAt)) continue;
    size_t row = std::stoul(m[1]);
    row_errors[row] = value.get<std::string>();
    // The summary says which row, since the service's message names only the value's part.
    form["rule_error"] = "condition " + std::to_string(row + 1) + ": " + row_errors[row];
  }
  nlohmann::json typed = form.value("rule_conditions", nlohmann::json::array());
  nlohmann::json rows = nlohmann::json::array();
  size_t count = std::min(kMaxConditionRows, typed.size() + kBlankRows);
  for (size_t i = 0; i < count; ++i) {
    nlohmann::json row =
        i < typed.size() ? typed[i] : nlohmann::json{{"field", ""}, {"op", "eq"}, {"value", ""}};
    std::string op = row.value("op", "eq");
    row["ops"] = nlohmann::json::array();
    for (const char* o : kOps) row["ops"].push_back({{"value", o}, {"selected", op == o}});
    row["n"] = std::to_string(i);
    row["number"] = std::to_string(i + 1);
    auto error = row_errors.find(i);
    row["error"] =
        error == row_errors.end() ? nlohmann::json(false) : nlohmann::json(error->second);
    rows.push_back(std::move(row));
  }
  form["conditions"] = rows;
  return ctx.web.templates.Render("dashboard_rule_form.html", form);
}

}  // namespace oakgate::handlers::dashboard
