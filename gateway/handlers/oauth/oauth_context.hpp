#pragma once
// What the OAuth handlers share: the browser context and one service per endpoint.
#include <functional>
#include <string>

#include "gateway/handlers/web/web_context.hpp"
#include "gateway/oauth/authorize.hpp"
#include "gateway/oauth/introspection.hpp"
#include "gateway/oauth/registration.hpp"
#include "gateway/oauth/revocation.hpp"
#include "gateway/oauth/token_service.hpp"

namespace oakgate::handlers::oauth {

struct OAuthContext {
  const web::WebContext& web;
  oakgate::oauth::AuthorizeService& authorize;
  oakgate::oauth::TokenService& tokens;
  oakgate::oauth::IntrospectionService& introspection;
  oakgate::oauth::RevocationService& revocation;
  oakgate::oauth::RegistrationService& registration;
  std::string issuer;
  std::string discovery_document;
  // Read-your-writes for this instance's caches after a change (see app/routes.cpp); set
  // once the listener exists, may stay empty (no caches).
  std::function<void()> sync_caches;
};

}  // namespace oakgate::handlers::oauth
