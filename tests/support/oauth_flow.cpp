#include "tests/support/oauth_flow.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "gateway/crypto/base64.hpp"
#include "gateway/crypto/random.hpp"
#include "gateway/crypto/sha256.hpp"
#include "gateway/util/strings.hpp"
#include "tests/support/login_flow.hpp"

namespace oakgate::test {

TestClient CreateClient(const GatewayProcess& gw, const std::string& id,
                        const std::string& redirect_uri, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"client", "create", "--id", id, "--name", "Client " + id};
  if (!redirect_uri.empty()) {
    args.push_back("--redirect-uri");
    args.push_back(redirect_uri);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = RunOakgate(args, gw.env());
  if (r.exit_code != 0) throw std::runtime_error("client create failed: " + r.err);
  auto j = nlohmann::json::parse(r.out);
  TestClient c;
  c.id = id;
  c.redirect_uri = redirect_uri;
  if (j.contains("client_secret")) c.secret = j["client_secret"].get<std::string>();
  return c;
}

void CreateUser(const GatewayProcess& gw, const std::string& email, const std::string& password) {
  auto r = RunOakgate({"user", "create", "--email", email, "--password-stdin"}, gw.env(),
                      password + "\n");
  if (r.exit_code != 0) throw std::runtime_error("user create failed: " + r.err);
}

Pkce NewPkce() {
  Pkce p;
  p.verifier = crypto::RandomToken(48);  // 64 characters
  auto digest = crypto::Sha256(p.verifier);
  p.challenge = crypto::Base64UrlEncode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
  return p;
}

std::map<std::string, std::string> QueryOf(const std::string& url) {
  std::map<std::string, std::string> out;
  size_t q = url.find('?');
  std::string query = q == std::string::npos ? url : url.substr(q + 1);
  for (auto pair : util::Split(query, '&')) {
    size_t eq = pair.find('=');
    auto name = util::PercentDecode(pair.substr(0, eq), true);
    auto value = util::PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (name && value && !out.count(*name)) out[*name] = *value;
  }
  return out;
}

std::string BasicAuth(const std::string& id, const std::string& secret) {
  return "Basic " + crypto::Base64Encode(UrlEncode(id) + ":" + UrlEncode(secret));
}

std::string AuthorizeTarget(const Fields& fields) {
  return "/oauth/authorize?" + FormEncode(fields);
}

HttpResponse GetAuthorize(int port, const Fields& fields, const std::string& session_cookie,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
  auto h = headers;
  if (!session_cookie.empty()) h.emplace_back("Cookie", session_cookie);
  return Fetch(port, "GET", AuthorizeTarget(fields), h);
}

HttpResponse SubmitConsent(int port, const std::string& html, const std::string& session_cookie,
                           const std::string& decision) {
  // Every hidden input of the form, in order.
  Fields fields;
  size_t pos = 0;
  const std::string marker = "<input type=\"hidden\" name=\"";
  while ((pos = html.find(marker, pos)) != std::string::npos) {
    pos += marker.size();
    size_t name_end = html.find('"', pos);
    std::string name = html.substr(pos, name_end - pos);
    size_t v = html.find("value=\"", name_end) + 7;
    std::string value = html.substr(v, html.find('"', v) - v);
    std::string plain = HtmlUnescape(value);
    fields.emplace_back(name, plain);
    pos = name_end;
  }
  fields.emplace_back("decision", decision);
  return PostForm(port, "/oauth/authorize", fields, {{"Cookie", session_cookie}});
}

std::string AuthorizeCode(int port, const TestClient& client, const std::string& session_cookie,
                          const Pkce& pkce, const std::string& scope) {
  Fields f = {{"response_type", "code"},
              {"client_id", client.id},
              {"redirect_uri", client.redirect_uri},
              {"state", "st"},
              {"code_challenge", pkce.challenge},
              {"code_challenge_method", "S256"}};
  if (!scope.empty()) f.emplace_back("scope", scope);
  HttpResponse r = GetAuthorize(port, f, session_cookie);
  // The GET is answered with 302, the consent POST with 303 (RFC 9700 §4.12).
  const int expected = r.status == 200 ? 303 : 302;
  if (r.status == 200) r = SubmitConsent(port, r.body, session_cookie, "approve");
  if (r.status != expected) {
    throw std::runtime_error("authorize answered " + std::to_string(r.status) + ": " + r.body);
  }
  auto q = QueryOf(r.Header("location").value_or(""));
  if (!q.count("code")) throw std::runtime_error("no code in " + r.Header("location").value_or(""));
  return q["code"];
}

HttpResponse PostForm(int port, const std::string& path, const Fields& fields,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      const std::string& source_address) {
  auto h = headers;
  h.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  return Fetch(port, "POST", path, h, FormEncode(fields), source_address);
}

HttpResponse RedeemCode(int port, const TestClient& client, const std::string& code,
                        const std::string& verifier, const std::string& source_address) {
  Fields f = {{"grant_type", "authorization_code"},
              {"code", code},
              {"redirect_uri", client.redirect_uri},
              {"code_verifier", verifier},
              {"client_id", client.id}};
  if (!client.secret.empty()) f.emplace_back("client_secret", client.secret);
  return PostForm(port, "/oauth/token", f, {}, source_address);
}

HttpResponse Refresh(int port, const TestClient& client, const std::string& refresh_token,
                     const std::string& scope) {
  Fields f = {
      {"grant_type", "refresh_token"}, {"refresh_token", refresh_token}, {"client_id", client.id}};
  if (!client.secret.empty()) f.emplace_back("client_secret", client.secret);
  if (!scope.empty()) f.emplace_back("scope", scope);
  return PostForm(port, "/oauth/token", f);
}

HttpResponse IntrospectToken(int port, const TestClient& introspector, const std::string& token) {
  return PostForm(port, "/oauth/introspect", {{"token", token}},
                  {{"Authorization", BasicAuth(introspector.id, introspector.secret)}});
}

}  // namespace oakgate::test
