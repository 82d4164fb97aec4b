#include "gateway/oauth/authorize.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "gateway/crypto/random.hpp"
#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/audit.hpp"
#include "gateway/oauth/pkce.hpp"
#include "gateway/oauth/redirect_uri.hpp"
#include "gateway/oauth/resources.hpp"
#include "gateway/oauth/scope.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::oauth {
namespace {

constexpr size_t kMaxValue = 2048;
constexpr std::string_view kAuthorizePath = "/oauth/authorize";

size_t Count(const ParamList& p, std::string_view name) {
  return std::count_if(p.begin(), p.end(), [&](const auto& kv) { return kv.first == name; });
}

// RFC 6749 §3.1: a parameter sent without a value is treated as omitted.
std::optional<std::string> Get(const ParamList& p, std::string_view name) {
  for (const auto& [n, v] : p) {
    if (n == name) return v.empty() ? std::nullopt : std::optional<std::string>(v);
  }
  return std::nullopt;
}

bool HasGrant(const store::Client& c, std::string_view g) {
  return std::find(c.grant_types.begin(), c.grant_types.end(), g) != c.grant_types.end();
}

// An origin goes into a CSP header: only characters an origin can have, so a registered URI
// can never inject a directive.
bool IsCspSafeOrigin(std::string_view origin) {
  if (origin.empty()) return false;
  for (char c : origin) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '/' || c == '[' || c == ']' || c == '+';
    if (!ok) return false;
  }
  return true;
}

PageError Page(std::string message) {
  return PageError{400, "Invalid request", std::move(message)};
}

}  // namespace

util::Result<ClientRedirect, PageError> AuthorizeService::ResolveClient(const ParamList& params) {
  using util::Fail;
  if (Count(params, "client_id") > 1) return Fail(Page("client_id is repeated."));
  if (Count(params, "redirect_uri") > 1) return Fail(Page("redirect_uri is repeated."));
  auto client_id = Get(params, "client_id");
  if (!client_id) return Fail(Page("client_id is missing."));
  if (client_id->size() > 200) return Fail(Page("Unknown client."));
  auto client = db_.Clients().Find(*client_id);
  if (!client) return Fail(Page("Unknown client."));
  ClientRedirect target;
  auto requested = Get(params, "redirect_uri");
  if (requested) {
    if (requested->size() > kMaxValue || !MatchRedirectUri(client->redirect_uris, *requested)) {
      return Fail(Page("The redirect_uri is not registered for this client."));
    }
    target.redirect_uri = *requested;
    target.redirect_uri_given = true;
  } else {
    // RFC 6749 §3.1.2.3: may be omitted only when exactly one is registered.
    if (client->redirect_uris.size() != 1) {
      return Fail(Page("redirect_uri is required for this client."));
    }
    target.redirect_uri = client->redirect_uris.front();
  }
  if (Count(params, "state") == 1) {
    auto state = Get(params, "state");
    if (state && state->size() <= kMaxValue) target.state = state;
  }
  target.client = std::move(*client);
  return target;
}

util::Result<AuthorizationRequest, RedirectError> AuthorizeService::Validate(
    const ParamList& params, const ClientRedirect& target) {
  using util::Fail;
  auto fail = [](ErrorCode c, std::string d) { return Fail(RedirectError{c, std::move(d)}); };
  auto response_type = Get(params, "response_type");
  if (!response_type) return fail(ErrorCode::kInvalidRequest, "response_type is required");
  if (*response_type != "code") {
    return fail(ErrorCode::kUnsupportedResponseType, "only response_type=code is supported");
  }
  if (!HasGrant(target.client, "authorization_code")) {
    return fail(ErrorCode::kUnauthorizedClient, "the client may not use the authorization code");
  }
  // RFC 7636 §4.3: an absent method means "plain", which we refuse; S256 only.
  auto challenge = Get(params, "code_challenge");
  if (!challenge) return fail(ErrorCode::kInvalidRequest, "code_challenge is required");
  auto method = Get(params, "code_challenge_method");
  if (!method) {
    return fail(ErrorCode::kInvalidRequest, "code_challenge_method=S256 is required");
  }
  if (*method != "S256") {
    return fail(ErrorCode::kInvalidRequest, "only code_challenge_method=S256 is supported");
  }
  if (!IsValidS256Challenge(*challenge)) {
    return fail(ErrorCode::kInvalidRequest, "code_challenge must be 43 base64url characters");
  }
  AuthorizationRequest r;
  r.target = target;
  r.code_challenge = *challenge;
  // RFC 8707 §2.1: one or more `resource` parameters name where the token will be used.
  std::vector<std::string> resource_values;
  for (const auto& [name, value] : params) {
    if (name == "resource") resource_values.push_back(value);
  }
  if (resource_values.empty() && target.client.requires_resource) {
    return fail(ErrorCode::kInvalidTarget, "this client must name a resource");
  }
  auto resources = ResolveResources(db_, resource_values);
  if (!resources) return fail(resources.error().code, resources.error().description);
  r.resources = std::move(resources.value());
  // Scopes are checked against the client and against the resources asked for.
  std::vector<std::string> offered = ScopesOf(r.resources);
  // RFC 6749 §3.3: an omitted scope means the client's registered scopes (here: those the
  // resources offer).
  auto scope = Get(params, "scope");
  if (scope) {
    auto parsed = ParseScope(*scope);
    if (!parsed) return fail(ErrorCode::kInvalidScope, "scope is malformed");
    if (!IsSubset(*parsed, target.client.scopes)) {
      return fail(ErrorCode::kInvalidScope, "scope exceeds what the client may be granted");
    }
    if (!r.resources.empty() && !IsSubset(*parsed, offered)) {
      return fail(ErrorCode::kInvalidScope, "scope exceeds what the resource offers");
    }
    r.scopes = *parsed;
  } else {
    r.scopes =
        r.resources.empty() ? target.client.scopes : Intersect(target.client.scopes, offered);
  }
  // RFC 6749 §3.1: parameters MUST NOT be repeated; RFC 8707 allows several `resource`.
  for (const auto& [name, value] : params) {
    if (name != "resource" && Count(params, name) > 1) {
      return fail(ErrorCode::kInvalidRequest, name + " is repeated");
    }
    if (value.size() > kMaxValue) return fail(ErrorCode::kInvalidRequest, name + " is too long");
  }
  r.loopback_public = !target.client.confidential && IsLoopbackRedirect(target.redirect_uri);
  return r;
}

bool AuthorizeService::NeedsConsentPage(const AuthorizationRequest& r, const std::string& user_id) {
  if (r.loopback_public) return true;  // RFC 8252 §8.6: on every authorization
  // RFC 7591 §5: anyone can register a client under any name: the user confirms every time.
  if (r.target.client.registered) return true;
  if (r.target.client.first_party) return false;
  auto remembered = db_.Consents().Find(user_id, r.target.client.id);
  return !remembered || !IsSubset(r.scopes, remembered->scopes) ||
         !IsSubset(UrisOf(r.resources), remembered->resources);
}

void AuthorizeService::RememberConsent(const AuthorizationRequest& r, const std::string& user_id,
                                       const Caller& caller) {
  store::Consent consent{r.scopes, UrisOf(r.resources)};
  auto merge = [](std::vector<std::string>& into, const std::vector<std::string>& more) {
    for (const auto& s : more) {
      if (std::find(into.begin(), into.end(), s) == into.end()) into.push_back(s);
    }
  };
  if (auto before = db_.Consents().Find(user_id, r.target.client.id)) {
    merge(consent.scopes, before->scopes);
    merge(consent.resources, before->resources);
  }
  db_.Consents().Save(
      user_id, r.target.client.id, consent,
      AuditEventOf(caller, {"oauth.consent_granted", user_id, r.target.client.id, "",
                            nlohmann::json({{"scope", JoinScope(r.scopes)}}).dump()}));
}

void AuthorizeService::RecordDenied(const AuthorizationRequest& r, const std::string& user_id,
                                    const Caller& caller) {
  RecordAudit(db_, caller,
              {"oauth.consent_denied", user_id, r.target.client.id, "",
               nlohmann::json({{"scope", JoinScope(r.scopes)}}).dump()});
}

std::string AuthorizeService::IssueCode(const AuthorizationRequest& r, const std::string& user_id,
                                        const Caller& caller) {
  std::string code = crypto::RandomToken(32);  // 256 bits from the CSPRNG
  store::NewCode row;
  row.code_hash = crypto::ToBytes(crypto::Sha256(code));
  row.client_id = r.target.client.id;
  row.user_id = user_id;
  row.redirect_uri = r.target.redirect_uri;
  row.redirect_uri_given = r.target.redirect_uri_given;
  row.scopes = r.scopes;
  row.resources = UrisOf(r.resources);
  row.code_challenge = r.code_challenge;
  row.ttl_seconds = settings_.code_ttl;
  row.audit = AuditEventOf(caller, {"oauth.authorized", user_id, r.target.client.id, "",
                                    nlohmann::json({{"scope", JoinScope(r.scopes)}}).dump()});
  db_.Tokens().CreateCode(row);
  ParamList out = {{"code", code}};
  if (r.target.state) out.emplace_back("state", *r.target.state);
  out.emplace_back("iss", settings_.issuer);  // RFC 9207
  return AppendParams(r.target.redirect_uri, out);
}

std::string AuthorizeService::ErrorRedirect(const ClientRedirect& target, ErrorCode code,
                                            std::string_view description) const {
  ParamList out = {{"error", std::string(ErrorString(code))},
                   {"error_description", std::string(description)}};
  if (target.state) out.emplace_back("state", *target.state);
  out.emplace_back("iss", settings_.issuer);
  return AppendParams(target.redirect_uri, out);
}

std::string AuthorizeService::AppendParams(const std::string& uri, const ParamList& params) const {
  // RFC 6749 §3.1.2: keep the redirect URI's own query; a fragment is not allowed there.
  std::string base = uri.substr(0, uri.find('#'));
  char sep = base.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : params) {
    base += sep;
    base += name + "=" + util::PercentEncode(value);
    sep = '&';
  }
  return base;
}

std::vector<std::string> AuthorizeService::FormActionOrigins(std::string_view return_to) {
  if (return_to.substr(0, kAuthorizePath.size()) != kAuthorizePath) return {};
  std::string_view rest = return_to.substr(kAuthorizePath.size());
  if (rest.empty() || rest.front() != '?') return {};
  ParamList params;
  for (std::string_view pair : util::Split(rest.substr(1), '&')) {
    size_t eq = pair.find('=');
    auto name = util::PercentDecode(pair.substr(0, eq), true);
    auto value = util::PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!name || !value) return {};
    params.emplace_back(std::move(*name), std::move(*value));
  }
  auto target = ResolveClient(params);
  if (!target) return {};
  return RedirectOrigins(target.value());
}

std::vector<std::string> RedirectOrigins(const ClientRedirect& target) {
  std::string origin = OriginOf(target.redirect_uri);
  if (!IsCspSafeOrigin(origin)) return {};
  return {origin};
}

}  // namespace oakgate::oauth
