#pragma once
// The checks of GET /oauth/authorize (RFC 6749 §4.1.1, RFC 7636, RFC 9700 §4.11.2), in one
// visible order:
//   1. ResolveClient: repeated client_id/redirect_uri, unknown client, unregistered redirect
//      URI -> an HTML error page, never a redirect (the redirect URI is not verified yet);
//   2. (the handler) a valid session, before any error is redirected to the client;
//   3. Validate: response_type, PKCE, scope, other repeated parameters -> error redirects.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/oauth/errors.hpp"
#include "gateway/oauth/settings.hpp"
#include "gateway/store/database.hpp"
#include "gateway/util/result.hpp"

namespace oakgate::oauth {

using ParamList = std::vector<std::pair<std::string, std::string>>;

struct PageError {
  int status = 400;
  std::string title;
  std::string message;
};

struct ClientRedirect {
  store::Client client;
  std::string redirect_uri;  // the one to redirect to (as requested, or the registered one)
  bool redirect_uri_given = false;
  std::optional<std::string> state;  // echoed byte for byte on every redirect
};

struct AuthorizationRequest {
  ClientRedirect target;
  std::vector<std::string> scopes;
  std::vector<store::Resource> resources;  // RFC 8707: what the token will be bound to
  std::string code_challenge;
  // RFC 8252 §8.6: a public client on a loopback redirect cannot prove who it is.
  bool loopback_public = false;
};

struct RedirectError {
  ErrorCode code;
  std::string description;
};

// The redirect URI's origin, for CSP form-action (browsers apply it to every redirect after a
// form POST); empty when it cannot be expressed safely.
std::vector<std::string> RedirectOrigins(const ClientRedirect& target);

class AuthorizeService {
 public:
  AuthorizeService(store::Database& db, OAuthSettings settings)
      : db_(db), settings_(std::move(settings)) {}

  util::Result<ClientRedirect, PageError> ResolveClient(const ParamList& params);
  util::Result<AuthorizationRequest, RedirectError> Validate(const ParamList& params,
                                                             const ClientRedirect& target);
  // Whether the user must see the consent (or loopback confirmation) page first.
  bool NeedsConsentPage(const AuthorizationRequest& request, const std::string& user_id);
  void RememberConsent(const AuthorizationRequest& request, const std::string& user_id,
                       const Caller& caller);
  void RecordDenied(const AuthorizationRequest& request, const std::string& user_id,
                    const Caller& caller);
  // Stores a new code (only its SHA-256) and returns the redirect carrying it.
  std::string IssueCode(const AuthorizationRequest& request, const std::string& user_id,
                        const Caller& caller);
  std::string ErrorRedirect(const ClientRedirect& target, ErrorCode code,
                            std::string_view description) const;
  // RFC 9700 §4.11.2: a client anyone could have registered gets no redirects carrying
  // errors (an open redirector); its errors and denials are shown as a page instead.
  static bool ErrorsAsPage(const store::Client& client) { return client.registered; }

  // The validated redirect origin of a pending authorization request named by a login
  // return_to ("/oauth/authorize?..."), for the login page's CSP form-action; empty when
  // return_to is something else or does not verify.
  std::vector<std::string> FormActionOrigins(std::string_view return_to);

 private:
  std::string AppendParams(const std::string& uri, const ParamList& params) const;
  store::Database& db_;
  OAuthSettings settings_;
};

}  // namespace oakgate::oauth
