#pragma once
// A rule on the dashboard (CONTRACT §6, §10): its row in the agent's rules table, and the one
// form that adds a rule (on the agent's page) and changes one (on the rule's page). The
// conditions are rows of (field, operator, value); manage::RuleService checks every field, and
// its error is shown at the field, down to the condition's row ("conditions[1].op").
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "gateway/handlers/dashboard/dashboard_common.hpp"

namespace oakgate::handlers::dashboard {

// The rule as the tables and the rule's page show it, its conditions readable.
nlohmann::json RuleView(const store::Rule& rule);
// The form's values ("rule_<field>") as the rule has them.
void RuleFields(const store::Rule& rule, nlohmann::json& view);
// The form's values as typed, for the form shown again with its errors.
nlohmann::json TypedRuleFields(const http::Params& fields);
// The rule the form asks for, or the error of a field the form itself reads (a number).
std::optional<manage::DomainError> RuleFormInput(const http::Params& fields,
                                                 manage::RuleInput& input);
// The form (templates/dashboard_rule_form.html) from a page view's "rule_*" values and errors,
// posted to `action`; `creating` on the agent's page, else on the rule's.
std::string RuleForm(const DashboardContext& ctx, const Visitor& visitor, const std::string& action,
                     bool creating, const nlohmann::json& view);

}  // namespace oakgate::handlers::dashboard
