#include "gateway/manage/principal.hpp"

#include <algorithm>

namespace oakgate::manage {

bool Principal::HasScope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

std::string Principal::Actor() const {
  switch (method) {
    case AuthMethod::kAccessToken:
      return "user:" + user_id + " client:" + client_id;
    case AuthMethod::kSession:
      return "user:" + user_id + " dashboard";
    case AuthMethod::kOperator:
      break;
  }
  return "cli";
}

store::AuditEvent Principal::Audit(std::string type, std::string subject,
                                   std::string details_json) const {
  store::AuditEvent e;
  e.type = std::move(type);
  e.user_id = user_id;
  e.org_id = org_id;
  e.actor = Actor();
  e.subject = std::move(subject);
  e.client_address = client_address;
  e.request_id = request_id;
  e.details_json = std::move(details_json);
  return e;
}

Principal SessionPrincipal(std::string user_id, std::string client_address,
                           std::string request_id) {
  Principal p;
  p.user_id = std::move(user_id);
  p.method = AuthMethod::kSession;
  p.scopes = {std::string(kKeysScope), std::string(kAgentsScope)};
  p.client_address = std::move(client_address);
  p.request_id = std::move(request_id);
  return p;
}

Principal OperatorPrincipal(std::string user_id) {
  Principal p;
  p.user_id = std::move(user_id);
  p.method = AuthMethod::kOperator;
  p.scopes = {std::string(kKeysScope), std::string(kAgentsScope)};
  return p;
}

}  // namespace oakgate::manage
