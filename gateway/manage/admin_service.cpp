#include "gateway/manage/admin_service.hpp"

#include "gateway/manage/fields.hpp"

namespace oakgate::manage {
namespace {

std::optional<DomainError> NotAdmin(const Principal& who) {
  if (!who.is_admin) return Forbidden("administrators only").error;
  return std::nullopt;
}

}  // namespace

Outcome<std::vector<store::UserSummary>> AdminService::Users(const Principal& who) {
  if (auto e = NotAdmin(who)) return util::Fail(*e);
  return users_.List();
}

Outcome<Done> AdminService::DisableUser(const Principal& who, std::string_view user_id) {
  if (auto e = NotAdmin(who)) return util::Fail(*e);
  if (!IsUuid(user_id)) return NotFound("no such user");
  if (user_id == who.user_id) {
    return Conflict("You cannot disable your own account from the dashboard.", "user_id");
  }
  store::AuditEvent audit = who.Audit("user.disabled", std::string(user_id));
  // The event belongs to the disabled user's trail; the administrator is its actor.
  audit.user_id = std::string(user_id);
  if (!users_.DisableById(user_id, audit)) return NotFound("no such user");
  return Done{};
}

Outcome<std::vector<store::Client>> AdminService::Clients(const Principal& who) {
  if (auto e = NotAdmin(who)) return util::Fail(*e);
  return clients_.List();
}

}  // namespace oakgate::manage
