// Pure logic of issue 8: resource URI validation and normalisation (RFC 8707 §2) and dynamic
// registration metadata validation (RFC 7591 §2, §3.2.2).
#include <gtest/gtest.h>

#include "gateway/config/config.hpp"
#include "gateway/oauth/errors.hpp"
#include "gateway/oauth/registration.hpp"
#include "gateway/oauth/resource_uri.hpp"

namespace oakgate::oauth {
namespace {

TEST(ResourceUri, LowerCasesSchemeAndHostOnly) {
  EXPECT_EQ(NormalizeResourceUri("HTTPS://MCP.Example.COM/Tools/X?Q=1"),
            "https://mcp.example.com/Tools/X?Q=1");
  EXPECT_EQ(NormalizeResourceUri("https://mcp.example.com"), "https://mcp.example.com");
  EXPECT_EQ(NormalizeResourceUri("https://mcp.example.com:8443/mcp"),
            "https://mcp.example.com:8443/mcp");
  EXPECT_EQ(NormalizeResourceUri("https://[2001:DB8::1]/mcp"), "https://[2001:db8::1]/mcp");
  // Exact string after that: a trailing slash is a different resource.
  EXPECT_NE(NormalizeResourceUri("https://a.example/mcp"),
            NormalizeResourceUri("https://a.example/mcp/"));
}

TEST(ResourceUri, HttpOnlyForLoopback) {
  EXPECT_EQ(NormalizeResourceUri("http://127.0.0.1:3000/mcp"), "http://127.0.0.1:3000/mcp");
  EXPECT_EQ(NormalizeResourceUri("http://LOCALHOST/mcp"), "http://localhost/mcp");
  EXPECT_EQ(NormalizeResourceUri("http://[::1]:9/mcp"), "http://[::1]:9/mcp");
  EXPECT_FALSE(NormalizeResourceUri("http://mcp.example.com/mcp"));
  EXPECT_FALSE(NormalizeResourceUri("http://127.0.0.2/mcp"));
}

TEST(ResourceUri, RefusesWhatIsNotOneAbsoluteServer) {
  for (const char* bad : {"",
                          "/mcp",
                          "mcp.example.com/mcp",
                          "//mcp.example.com/x",
                          "https://mcp.example.com/mcp#frag",
                          "https://mcp.example.com#",
                          "https://",
                          "https:///mcp",
                          "https://*.example.com/mcp",
                          "https://user@mcp.example.com/",
                          "https://mcp example.com/",
                          "https://mcp.example.com/a b",
                          "ftp://mcp.example.com/",
                          "urn:example:mcp",
                          "https://mcp.example.com:/x",
                          "https://mcp.example.com:99999/",
                          "https://mcp.example.com:8a/",
                          "https://..example.com/",
                          "https://[::1/x",
                          "https://-a.example/",
                          "https://mcp.example.com/\x01"}) {
    EXPECT_FALSE(NormalizeResourceUri(bad)) << bad;
  }
  EXPECT_FALSE(NormalizeResourceUri("https://a.example/" + std::string(2000, 'x')));
}

TEST(ResourceUri, ListRemovesDuplicatesAndBoundsTheCount) {
  auto list =
      NormalizeResourceList({"https://A.example/x", "https://a.example/x", "https://b.example"});
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (std::vector<std::string>{"https://a.example/x", "https://b.example"}));
  EXPECT_FALSE(NormalizeResourceList({"https://a.example", "relative"}));
  std::vector<std::string> many(11, "https://a.example");
  EXPECT_FALSE(NormalizeResourceList(many));
}

TEST(RegisteredRedirectUri, LoopbackOrHttpsOrConfiguredSchemes) {
  const std::vector<std::string> none;
  EXPECT_TRUE(IsAllowedRegisteredRedirectUri("http://127.0.0.1:33418/callback", none));
  EXPECT_TRUE(IsAllowedRegisteredRedirectUri("http://[::1]/cb", none));
  EXPECT_TRUE(IsAllowedRegisteredRedirectUri("http://localhost:6274/oauth/callback", none));
  EXPECT_TRUE(IsAllowedRegisteredRedirectUri("https://app.example/cb?x=1", none));
  EXPECT_FALSE(IsAllowedRegisteredRedirectUri("http://app.example/cb", none));
  EXPECT_FALSE(IsAllowedRegisteredRedirectUri("https://app.example/cb#x", none));
  EXPECT_FALSE(IsAllowedRegisteredRedirectUri("https://*.example/cb", none));
  EXPECT_FALSE(IsAllowedRegisteredRedirectUri("https://evil@app.example/cb", none));
  EXPECT_FALSE(IsAllowedRegisteredRedirectUri("com.example.app:/cb", none));
  EXPECT_FALSE(IsAllowedRegisteredRedirectUri("javascript:alert(1)", none));
  EXPECT_FALSE(IsAllowedRegisteredRedirectUri("/cb", none));
  EXPECT_FALSE(IsAllowedRegisteredRedirectUri("https://app.example/a b", none));
  const std::vector<std::string> custom = {"com.example.app"};
  EXPECT_TRUE(IsAllowedRegisteredRedirectUri("com.example.app:/cb", custom));
  EXPECT_TRUE(IsAllowedRegisteredRedirectUri("COM.EXAMPLE.APP:/cb", custom));
  EXPECT_FALSE(IsAllowedRegisteredRedirectUri("com.example.app:/cb#f", custom));
  EXPECT_FALSE(IsAllowedRegisteredRedirectUri("com.other.app:/cb", custom));
}

struct MetadataCase {
  const char* body;
  ErrorCode code;
  const char* field;
};

TEST(ClientMetadata, EveryBadInputGetsItsRfc7591Error) {
  const std::string ok_uris = R"("redirect_uris": ["http://127.0.0.1/cb"])";
  const std::vector<MetadataCase> cases = {
      {"", ErrorCode::kInvalidClientMetadata, ""},
      {"not json", ErrorCode::kInvalidClientMetadata, ""},
      {"[]", ErrorCode::kInvalidClientMetadata, ""},
      {"\"a string\"", ErrorCode::kInvalidClientMetadata, ""},
      {"42", ErrorCode::kInvalidClientMetadata, ""},
      {"null", ErrorCode::kInvalidClientMetadata, ""},
      {"{}", ErrorCode::kInvalidRedirectUri, "redirect_uris"},
      {R"({"redirect_uris": []})", ErrorCode::kInvalidRedirectUri, "redirect_uris"},
      {R"({"redirect_uris": "http://127.0.0.1/cb"})", ErrorCode::kInvalidRedirectUri,
       "redirect_uris"},
      {R"({"redirect_uris": [7]})", ErrorCode::kInvalidRedirectUri, "redirect_uris"},
      {R"({"redirect_uris": ["https://app.example/cb#frag"]})", ErrorCode::kInvalidRedirectUri,
       "redirect_uris"},
      {R"({"redirect_uris": ["http://app.example/cb"]})", ErrorCode::kInvalidRedirectUri,
       "redirect_uris"},
      {R"({"redirect_uris": ["https://*.example/cb"]})", ErrorCode::kInvalidRedirectUri,
       "redirect_uris"},
      {R"({"redirect_uris": ["myapp:/cb"]})", ErrorCode::kInvalidRedirectUri, "redirect_uris"},
      {R"({"redirect_uris": ["http://127.0.0.1/1", "http://127.0.0.1/2", "http://127.0.0.1/3",
          "http://127.0.0.1/4", "http://127.0.0.1/5", "http://127.0.0.1/6", "http://127.0.0.1/7",
          "http://127.0.0.1/8", "http://127.0.0.1/9", "http://127.0.0.1/10",
          "http://127.0.0.1/11"]})",
       ErrorCode::kInvalidRedirectUri, "redirect_uris"},
  };
  for (const auto& c : cases) {
    auto r = ParseClientMetadata(c.body, {});
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(r.error().code, c.code) << c.body;
    EXPECT_EQ(r.error().field, c.field) << c.body;
  }
  const std::vector<std::pair<std::string, std::string>> field_cases = {
      {R"("token_endpoint_auth_method": "client_secret_basic")", "token_endpoint_auth_method"},
      {R"("token_endpoint_auth_method": "client_secret_post")", "token_endpoint_auth_method"},
      {R"("token_endpoint_auth_method": 1)", "token_endpoint_auth_method"},
      {R"("grant_types": ["client_credentials"])", "grant_types"},
      {R"("grant_types": ["authorization_code", "implicit"])", "grant_types"},
      {R"("grant_types": ["refresh_token"])", "grant_types"},
      {R"("grant_types": "authorization_code")", "grant_types"},
      {R"("response_types": ["token"])", "response_types"},
      {R"("client_name": 5)", "client_name"},
      {R"("client_name": ")" + std::string(201, 'n') + "\"", "client_name"},
      {R"("client_name": "bell\u0007")", "client_name"},
      {R"("scope": ["a"])", "scope"},
      {R"("scope": "a  b")", "scope"},
  };
  for (const auto& [member, field] : field_cases) {
    std::string body = "{" + ok_uris + ", " + member + "}";
    auto r = ParseClientMetadata(body, {});
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidClientMetadata) << body;
    EXPECT_EQ(r.error().field, field) << body;
  }
}

TEST(ClientMetadata, DefaultsUnknownMembersAndLimits) {
  auto r = ParseClientMetadata(
      R"({"redirect_uris": ["http://127.0.0.1/cb", "http://127.0.0.1/cb"], "logo_uri": 3,
          "software_statement": {"x": [1, 2]}, "client_name": ")" +
          std::string(200, 'n') + R"("})",
      {});
  ASSERT_TRUE(r) << r.error().description;
  EXPECT_EQ(r.value().token_endpoint_auth_method, "none");  // omitted becomes none
  EXPECT_EQ(r.value().grant_types, std::vector<std::string>{"authorization_code"});
  EXPECT_EQ(r.value().response_types, std::vector<std::string>{"code"});
  EXPECT_EQ(r.value().redirect_uris, std::vector<std::string>{"http://127.0.0.1/cb"});
  EXPECT_EQ(r.value().client_name.size(), 200u);
  EXPECT_FALSE(r.value().scopes);

  // 200 characters, not bytes: "é" is two bytes of UTF-8.
  std::string accented;
  for (int i = 0; i < 200; ++i) accented += "\xC3\xA9";
  EXPECT_TRUE(ParseClientMetadata(
      R"({"redirect_uris": ["https://a.example/cb"], "client_name": ")" + accented + "\"}", {}));
  auto full = ParseClientMetadata(
      R"({"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "none",
          "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
          "scope": "read write"})",
      {});
  ASSERT_TRUE(full);
  EXPECT_EQ(full.value().grant_types.size(), 2u);
  EXPECT_EQ(*full.value().scopes, (std::vector<std::string>{"read", "write"}));
}

TEST(ClientMetadata, DeeplyNestedBodiesAreRefusedNotACrash) {
  std::string deep = std::string(20000, '[') + std::string(20000, ']');
  EXPECT_FALSE(ParseClientMetadata(deep, {}));
  std::string nested_member = R"({"redirect_uris": ["https://a.example/cb"], "x": )" +
                              std::string(20000, '[') + std::string(20000, ']') + "}";
  EXPECT_TRUE(ParseClientMetadata(nested_member, {}));  // unknown members are ignored
}

TEST(InitialAccessToken, HasItsPrefixAnd256Bits) {
  std::string t = NewInitialAccessToken();
  EXPECT_EQ(t.rfind("oit_", 0), 0u);
  EXPECT_EQ(t.size(), 47u);
  EXPECT_NE(t, NewInitialAccessToken());
}

TEST(Errors, Rfc8707And7591CodesComeFromTheTable) {
  EXPECT_EQ(ErrorString(ErrorCode::kInvalidTarget), "invalid_target");
  EXPECT_EQ(ErrorStatus(ErrorCode::kInvalidTarget), 400);
  EXPECT_EQ(ErrorString(ErrorCode::kInvalidClientMetadata), "invalid_client_metadata");
  EXPECT_EQ(ErrorString(ErrorCode::kInvalidRedirectUri), "invalid_redirect_uri");
  EXPECT_EQ(ErrorString(ErrorCode::kInvalidToken), "invalid_token");
  EXPECT_EQ(ErrorStatus(ErrorCode::kInvalidToken), 401);
}

config::Config LoadWith(std::map<std::string, std::string> env) {
  return config::Load({}, [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
}

TEST(RegistrationConfig, DefaultsAndValidation) {
  config::Config d = LoadWith({});
  EXPECT_EQ(d.registration, "open");
  EXPECT_EQ(d.registration_rate_limit, 20);
  EXPECT_EQ(d.registration_unused_ttl, 86400);
  EXPECT_EQ(LoadWith({{"OAKGATE_REGISTRATION", "token"}}).registration, "token");
  EXPECT_EQ(LoadWith({{"OAKGATE_REGISTRATION", "off"}}).registration, "off");
  EXPECT_EQ(LoadWith({{"OAKGATE_REGISTRATION_REDIRECT_SCHEMES", "com.example.app  cursor"}})
                .registration_redirect_schemes,
            "com.example.app  cursor");
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"OAKGATE_REGISTRATION", "sometimes"},
           {"OAKGATE_REGISTRATION", "OPEN"},
           {"OAKGATE_REGISTRATION_REDIRECT_SCHEMES", "https"},
           {"OAKGATE_REGISTRATION_REDIRECT_SCHEMES", "Com.Example"},
           {"OAKGATE_REGISTRATION_REDIRECT_SCHEMES", "a:b"},
           {"OAKGATE_REGISTRATION_RATE_LIMIT", "0"},
           {"OAKGATE_REGISTRATION_UNUSED_TTL", "1"}}) {
    EXPECT_THROW(LoadWith({{key, value}}), config::ConfigError) << key << "=" << value;
  }
}

}  // namespace
}  // namespace oakgate::oauth
