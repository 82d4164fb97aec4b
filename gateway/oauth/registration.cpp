#include "gateway/oauth/registration.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "gateway/crypto/compare.hpp"
#include "gateway/crypto/random.hpp"
#include "gateway/crypto/sha256.hpp"
#include "gateway/oauth/audit.hpp"
#include "gateway/oauth/grants/grant_types.hpp"
#include "gateway/oauth/resource_uri.hpp"
#include "gateway/oauth/scope.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::oauth {
namespace {

constexpr size_t kMaxRedirectUri = 2000;
// The gateway's own scopes (CONTRACT §4) are never for a client that registered itself.
const std::vector<std::string> kGatewayScopes = {"keys", "agents"};

OAuthError Metadata(std::string description, std::string field) {
  OAuthError e = MakeError(ErrorCode::kInvalidClientMetadata, std::move(description));
  e.field = std::move(field);
  return e;
}

OAuthError BadRedirect(std::string description) {
  OAuthError e = MakeError(ErrorCode::kInvalidRedirectUri, std::move(description));
  e.field = "redirect_uris";
  return e;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool HasControl(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

// A list member: absent -> `fallback`, otherwise an array of distinct non-empty strings.
std::optional<std::vector<std::string>> StringArray(const nlohmann::json& doc, const char* name,
                                                    std::vector<std::string> fallback, size_t max) {
  if (!doc.contains(name)) return fallback;
  const auto& v = doc[name];
  if (!v.is_array() || v.size() > max) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : v) {
    if (!item.is_string() || item.get_ref<const std::string&>().empty()) return std::nullopt;
    const auto& s = item.get_ref<const std::string&>();
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

bool IsSchemeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

}  // namespace

bool IsAllowedRegisteredRedirectUri(std::string_view uri,
                                    const std::vector<std::string>& custom_schemes) {
  if (uri.empty() || uri.size() > kMaxRedirectUri) return false;
  for (unsigned char c : uri) {
    if (c <= 0x20 || c >= 0x7F) return false;  // also keeps the stored list space-separated
  }
  // RFC 6749 §3.1.2: the redirection endpoint URI MUST NOT include a fragment.
  if (uri.find('#') != std::string_view::npos) return false;
  size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string scheme = util::ToLower(uri.substr(0, colon));
  if (scheme == "https" || scheme == "http") {
    // The same rules as a resource: an absolute URI, a real host (no wildcard, no user
    // info), and plain http only on a loopback host (RFC 8252 §7.3, RFC 9700 §2.1).
    return NormalizeResourceUri(uri).has_value();
  }
  for (char c : scheme) {
    if (!IsSchemeChar(c)) return false;
  }
  // RFC 8252 §7.1: private-use schemes only when the operator allowed them.
  if (std::find(custom_schemes.begin(), custom_schemes.end(), scheme) == custom_schemes.end()) {
    return false;
  }
  return uri.size() > colon + 1;
}

util::Result<ClientMetadata, OAuthError> ParseClientMetadata(
    std::string_view body, const std::vector<std::string>& custom_schemes) {
  using util::Fail;
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Fail(Metadata("the body must be a JSON object", ""));
  }
  ClientMetadata m;

  // RFC 7591 §2: redirect_uris, required for redirect-based flows.
  if (!doc.contains("redirect_uris")) return Fail(BadRedirect("redirect_uris is required"));
  const auto& uris = doc["redirect_uris"];
  if (!uris.is_array() || uris.empty()) {
    return Fail(BadRedirect("redirect_uris must be a non-empty array of strings"));
  }
  if (uris.size() > kMaxRegisteredRedirectUris) {
    return Fail(BadRedirect("at most 10 redirect_uris"));
  }
  for (const auto& u : uris) {
    if (!u.is_string()) return Fail(BadRedirect("redirect_uris must hold strings"));
    const auto& s = u.get_ref<const std::string&>();
    if (!IsAllowedRegisteredRedirectUri(s, custom_schemes)) {
      return Fail(BadRedirect(
          "a redirect URI must be https, or http on 127.0.0.1, [::1] or localhost, without a "
          "fragment"));
    }
    if (std::find(m.redirect_uris.begin(), m.redirect_uris.end(), s) == m.redirect_uris.end()) {
      m.redirect_uris.push_back(s);
    }
  }

  // Public clients only: an omitted method is "none" (RFC 7591 §2 would default to
  // client_secret_basic, which we do not issue to self-registered clients).
  if (doc.contains("token_endpoint_auth_method")) {
    const auto& v = doc["token_endpoint_auth_method"];
    if (!v.is_string() || v.get_ref<const std::string&>() != "none") {
      return Fail(
          Metadata("token_endpoint_auth_method must be \"none\"", "token_endpoint_auth_method"));
    }
  }
  m.token_endpoint_auth_method = "none";

  // RFC 7591 §2: grant_types defaults to authorization_code.
  auto grants = StringArray(doc, "grant_types", {"authorization_code"}, 4);
  if (!grants) return Fail(Metadata("grant_types must be an array of strings", "grant_types"));
  const std::vector<std::string> allowed = grants::RegistrableGrantTypes();
  for (const auto& g : *grants) {
    if (std::find(allowed.begin(), allowed.end(), g) == allowed.end()) {
      std::string names;
      for (size_t i = 0; i < allowed.size(); ++i) {
        names += (i == 0 ? "" : i + 1 == allowed.size() ? " and " : ", ") + allowed[i];
      }
      return Fail(Metadata("grant_types may hold only " + names, "grant_types"));
    }
  }
  if (std::find(grants->begin(), grants->end(), "authorization_code") == grants->end()) {
    return Fail(Metadata("grant_types must include authorization_code", "grant_types"));
  }
  m.grant_types = *grants;

  // RFC 7591 §2.1: response_types consistent with the grant types: "code" only.
  auto responses = StringArray(doc, "response_types", {"code"}, 4);
  if (!responses || *responses != std::vector<std::string>{"code"}) {
    return Fail(Metadata("response_types may hold only \"code\"", "response_types"));
  }
  m.response_types = *responses;

  if (doc.contains("client_name")) {
    const auto& v = doc["client_name"];
    if (!v.is_string()) return Fail(Metadata("client_name must be a string", "client_name"));
    const auto& name = v.get_ref<const std::string&>();
    if (Utf8Length(name) > kMaxClientName || !util::IsValidUtf8(name) || HasControl(name)) {
      return Fail(Metadata("client_name must be at most 200 characters", "client_name"));
    }
    m.client_name = name;
  }

  if (doc.contains("scope")) {
    const auto& v = doc["scope"];
    if (!v.is_string()) return Fail(Metadata("scope must be a string", "scope"));
    auto parsed = ParseScope(v.get_ref<const std::string&>());
    if (!parsed) return Fail(Metadata("scope is malformed", "scope"));
    m.scopes = *parsed;
  }
  return m;
}

std::string NewInitialAccessToken() {
  return std::string(kInitialAccessTokenPrefix) + crypto::RandomToken(32);
}

std::optional<OAuthError> RegistrationService::CheckInitialAccessToken(
    const RegistrationRequest& request) {
  OAuthError invalid =
      MakeError(ErrorCode::kInvalidToken, "a valid initial access token is required");
  // RFC 7591 §3: the initial access token is a bearer token (RFC 6750 §2.1).
  if (request.authorization_count != 1 || !request.authorization) return invalid;
  std::string_view header = *request.authorization;
  constexpr std::string_view kBearer = "bearer ";
  if (header.size() <= kBearer.size() ||
      util::ToLower(header.substr(0, kBearer.size())) != kBearer) {
    return invalid;
  }
  std::string_view token = header.substr(kBearer.size());
  if (token.size() != kInitialAccessTokenPrefix.size() + 43 ||
      token.substr(0, kInitialAccessTokenPrefix.size()) != kInitialAccessTokenPrefix) {
    return invalid;
  }
  std::string hash = crypto::ToBytes(crypto::Sha256(token));
  auto stored = db_.Registrations().FindActiveToken(hash);
  // The lookup is by hash; the final comparison is constant-time all the same.
  if (!stored || !crypto::ConstantTimeEquals(*stored, hash)) return invalid;
  return std::nullopt;
}

util::Result<RegisteredClient, OAuthError> RegistrationService::Register(
    const RegistrationRequest& request, const Caller& caller) {
  using util::Fail;
  if (settings_.mode == RegistrationMode::kOff) {
    return Fail(MakeError(ErrorCode::kRegistrationDisabled, "dynamic registration is disabled"));
  }
  auto attempt = db_.Registrations().RecordAttempt(caller.client_address, settings_.window_seconds,
                                                   settings_.rate_limit);
  if (!attempt.allowed) {
    OAuthError e =
        MakeError(ErrorCode::kTooManyRequests, "too many registrations from this address");
    e.retry_after = std::max<int64_t>(attempt.retry, 1);
    return Fail(std::move(e));
  }
  if (settings_.mode == RegistrationMode::kToken) {
    if (auto bad = CheckInitialAccessToken(request)) return Fail(std::move(*bad));
  }
  if (request.media_type != "application/json") {
    return Fail(Metadata("the body must be a JSON object sent as application/json", ""));
  }
  auto parsed = ParseClientMetadata(request.body, settings_.custom_schemes);
  if (!parsed) return Fail(parsed.error());
  ClientMetadata m = std::move(parsed.value());

  // Scopes: only those registered resources offer, never the gateway's own.
  std::vector<std::string> offered = db_.Resources().AllScopes();
  offered.erase(std::remove_if(offered.begin(), offered.end(),
                               [](const std::string& s) {
                                 return std::find(kGatewayScopes.begin(), kGatewayScopes.end(),
                                                  s) != kGatewayScopes.end();
                               }),
                offered.end());
  if (m.scopes && !IsSubset(*m.scopes, offered)) {
    return Fail(Metadata("scope may hold only scopes of registered resources", "scope"));
  }
  if (!m.scopes) m.scopes = offered;  // RFC 7591 §2: the server may register a default

  store::Client c;
  c.id = "reg_" + crypto::RandomToken(16);  // 128 random bits
  c.name = m.client_name;
  c.registered = true;
  c.redirect_uris = m.redirect_uris;
  c.scopes = *m.scopes;
  c.grant_types = m.grant_types;
  store::AuditEvent registered = AuditEventOf(
      caller, {"oauth.client_registered", "", c.id, "",
               nlohmann::json({{"scope", JoinScope(c.scopes)}, {"redirect_uris", c.redirect_uris}})
                   .dump()});
  if (!db_.Clients().Create(c, registered)) {
    throw std::runtime_error("random client id collided");  // 2^-128: never
  }
  auto created = db_.Clients().Find(c.id);
  if (created) c.created_at = created->created_at;
  return RegisteredClient{std::move(c), std::move(m)};
}

}  // namespace oakgate::oauth
