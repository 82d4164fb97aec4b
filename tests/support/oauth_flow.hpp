#pragma once
// OAuth steps over HTTP for the e2e suites: clients from the CLI, PKCE pairs, authorization
// with a session cookie, token requests.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/gateway_process.hpp"
#include "tests/support/http_client.hpp"

namespace oakgate::test {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct TestClient {
  std::string id;
  std::string secret;  // "" for public clients
  std::string redirect_uri;
};

// `oakgate client create --id ID --redirect-uri URI EXTRA...`; throws on failure.
TestClient CreateClient(const GatewayProcess& gw, const std::string& id,
                        const std::string& redirect_uri,
                        const std::vector<std::string>& extra = {});
void CreateUser(const GatewayProcess& gw, const std::string& email, const std::string& password);

struct Pkce {
  std::string verifier;
  std::string challenge;
};
Pkce NewPkce();

// Query parameters of a URL (or of "a=b&c=d"), percent-decoded; repeated names keep the first.
std::map<std::string, std::string> QueryOf(const std::string& url);
std::string BasicAuth(const std::string& id, const std::string& secret);

// "/oauth/authorize?..." from the fields, in order.
std::string AuthorizeTarget(const Fields& fields);
// GET /oauth/authorize with the session cookie.
HttpResponse GetAuthorize(int port, const Fields& fields, const std::string& session_cookie,
                          const std::vector<std::pair<std::string, std::string>>& headers = {});
// POSTs the consent page's form with `decision` ("approve" or "deny").
HttpResponse SubmitConsent(int port, const std::string& consent_html,
                           const std::string& session_cookie, const std::string& decision);
// Authorizes (approving a consent page if one is shown) and returns the code.
std::string AuthorizeCode(int port, const TestClient& client, const std::string& session_cookie,
                          const Pkce& pkce, const std::string& scope = "");

HttpResponse PostForm(int port, const std::string& path, const Fields& fields,
                      const std::vector<std::pair<std::string, std::string>>& headers = {},
                      const std::string& source_address = "");
// grant_type=authorization_code, client_id (and client_secret via post for confidential).
HttpResponse RedeemCode(int port, const TestClient& client, const std::string& code,
                        const std::string& verifier, const std::string& source_address = "");
HttpResponse Refresh(int port, const TestClient& client, const std::string& refresh_token,
                     const std::string& scope = "");
// Introspects with a confidential client allowed to.
HttpResponse IntrospectToken(int port, const TestClient& introspector, const std::string& token);

}  // namespace oakgate::test
