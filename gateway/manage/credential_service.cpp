#include "gateway/manage/credential_service.hpp"

namespace oakgate::manage {
namespace {

// Sessions and grants are the user's own business: the dashboard's session or the operator,
// never a delegated access token (which could otherwise sign its user out everywhere).
std::optional<DomainError> NotTheUser(const Principal& who) {
  if (who.method == AuthMethod::kAccessToken) {
    return Forbidden("sessions and grants are managed from the dashboard").error;
  }
  return std::nullopt;
}

}  // namespace

Outcome<Credentials> CredentialService::List(const Principal& who) {
  if (auto e = NotTheUser(who)) return util::Fail(*e);
  return Credentials{sessions_.ListForUser(who.user_id), tokens_.ListGrants(who.user_id)};
}

Outcome<Done> CredentialService::EndSession(const Principal& who, int64_t session_id) {
  if (auto e = NotTheUser(who)) return util::Fail(*e);
  if (session_id < 1 ||
      !sessions_.EndForUser(who.user_id, session_id,
                            who.Audit("session.ended", std::to_string(session_id)))) {
    return NotFound("no such session");
  }
  return Done{};
}

Outcome<Done> CredentialService::RevokeGrant(const Principal& who, int64_t family_id) {
  if (auto e = NotTheUser(who)) return util::Fail(*e);
  if (family_id < 1 ||
      !tokens_.RevokeGrantForUser(who.user_id, family_id,
                                  who.Audit("grant.revoked", std::to_string(family_id)))) {
    return NotFound("no such grant");
  }
  return Done{};
}

Outcome<Done> CredentialService::SignOutEverywhere(const Principal& who) {
  if (auto e = NotTheUser(who)) return util::Fail(*e);
  users_.SignOutEverywhere(who.user_id, who.Audit("user.signed_out_everywhere", ""));
  return Done{};
}

Outcome<std::optional<std::string>> CredentialService::TakeKeyReveal(const Principal& who,
                                                                     int64_t session_id,
                                                                     std::string_view key_id) {
  if (who.method != AuthMethod::kSession) {
    return Forbidden("a new key is revealed only to the dashboard session that made it");
  }
  return sessions_.TakeReveal(session_id, key_id);
}

}  // namespace oakgate::manage
