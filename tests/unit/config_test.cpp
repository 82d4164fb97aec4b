#include "gateway/config/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace oakgate::config {
namespace {

EnvLookup Env(std::map<std::string, std::string> values) {
  return [values](const std::string& k) -> std::optional<std::string> {
    auto it = values.find(k);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

std::string WriteFile(const std::string& text) {
  char path[] = "/tmp/oakgate-config-test.XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(Config, DefaultsMatchTheContract) {
  Config c = Load({}, Env({}));
  EXPECT_EQ(c.listen, "127.0.0.1:4000");
  EXPECT_EQ(c.issuer, "http://127.0.0.1:4000");
  EXPECT_EQ(c.access_token_ttl, 3600);
  EXPECT_EQ(c.refresh_token_ttl, 2592000);
  EXPECT_EQ(c.refresh_idle_ttl, 1209600);
  EXPECT_EQ(c.code_ttl, 60);
  EXPECT_EQ(c.session_ttl, 43200);
  EXPECT_EQ(c.session_idle_ttl, 1800);
  EXPECT_EQ(c.refresh_grace, 0);
  EXPECT_EQ(c.max_request_bytes, 65536);
  EXPECT_TRUE(c.auto_migrate);
  EXPECT_EQ(c.decision_retention_days, 90);
  EXPECT_EQ(c.audit_retention_days, 365);
  EXPECT_EQ(c.prune_interval, 300);
  EXPECT_FALSE(c.CookieSecure());
}

TEST(Config, FlagsBeatEnvironmentBeatsFileBeatsDefaults) {
  std::string file = WriteFile(R"({"listen": "127.0.0.1:1111", "code_ttl": 30,
                                   "issuer": "https://id.example"})");
  Config c = Load({{"listen", "127.0.0.1:3333"}}, Env({{"OAKGATE_CONFIG", file},
                                                       {"OAKGATE_LISTEN", "127.0.0.1:2222"},
                                                       {"OAKGATE_CODE_TTL", "45"}}));
  EXPECT_EQ(c.listen, "127.0.0.1:3333");
  EXPECT_EQ(c.code_ttl, 45);
  EXPECT_EQ(c.issuer, "https://id.example");
  EXPECT_TRUE(c.CookieSecure()) << "secure cookies follow an https issuer";
  std::remove(file.c_str());
}

TEST(Config, RefreshIdleTtlIsSecondsAndZeroTurnsItOff) {
  EXPECT_EQ(Load({}, Env({{"OAKGATE_REFRESH_IDLE_TTL", "0"}})).refresh_idle_ttl, 0);
  EXPECT_EQ(Load({}, Env({{"OAKGATE_REFRESH_IDLE_TTL", "86400"}})).refresh_idle_ttl, 86400);
  for (const char* bad : {"-1", "soon", "315360001"}) {
    try {
      Load({}, Env({{"OAKGATE_REFRESH_IDLE_TTL", bad}}));
      FAIL() << bad;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), "refresh_idle_ttl") << bad;
    }
  }
}

TEST(Config, UnknownKeyInFileIsAnErrorNamingIt) {
  std::string file = WriteFile(R"({"listen": "127.0.0.1:1111", "lisen": "oops"})");
  try {
    Load({}, Env({{"OAKGATE_CONFIG", file}}));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "lisen");
  }
  std::remove(file.c_str());
}

TEST(Config, SignUpIsByInvitationUnlessTheOperatorSaysOtherwise) {
  EXPECT_EQ(Load({}, Env({})).signup, "invite");
  EXPECT_EQ(Load({}, Env({{"OAKGATE_SIGNUP", "open"}})).signup, "open");
  std::string file = WriteFile(R"({"signup": "off"})");
  EXPECT_EQ(Load({}, Env({{"OAKGATE_CONFIG", file}})).signup, "off");
  std::remove(file.c_str());
  try {
    Load({}, Env({{"OAKGATE_SIGNUP", "anyone"}}));
    FAIL() << "a mode that does not exist must stop the process";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "signup");
  }
}

TEST(Config, ValuesThatDoNotParseNameTheirKey) {
  for (auto [env, key] :
       std::vector<std::pair<std::string, std::string>>{{"OAKGATE_CODE_TTL", "code_ttl"},
                                                        {"OAKGATE_AUTO_MIGRATE", "auto_migrate"},
                                                        {"OAKGATE_LISTEN", "listen"},
                                                        {"OAKGATE_ISSUER", "issuer"}}) {
    try {
      Load({}, Env({{env, "not valid/"}}));
      FAIL() << env;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), key);
    }
  }
  std::string file = WriteFile(R"({"code_ttl": "sixty"})");
  EXPECT_THROW(Load({}, Env({{"OAKGATE_CONFIG", file}})), ConfigError);
  std::remove(file.c_str());
}

TEST(Config, ServeNeedsDatabaseAndALongSecret) {
  Config c = Load({}, Env({}));
  EXPECT_THROW(ValidateForServe(c), ConfigError);
  c.database_url = "postgresql:///x";
  EXPECT_THROW(ValidateForServe(c), ConfigError);
  c.secret = "short";
  EXPECT_THROW(ValidateForServe(c), ConfigError);
  c.secret = std::string(32, 's');
  EXPECT_NO_THROW(ValidateForServe(c));
}

TEST(Config, TrustedProxiesDefaultToNoneAndParseFromEnvAndFile) {
  EXPECT_TRUE(Load({}, Env({})).TrustedProxies().empty()) << "nobody is trusted by default";
  Config env = Load({}, Env({{"OAKGATE_TRUSTED_PROXIES", "127.0.0.1, ::1 10.0.0.0/8"}}));
  EXPECT_EQ(env.TrustedProxies().size(), 3u);
  std::string file = WriteFile(R"({"trusted_proxies": "192.168.0.0/16"})");
  Config from_file = Load({}, Env({{"OAKGATE_CONFIG", file}}));
  ASSERT_EQ(from_file.TrustedProxies().size(), 1u);
  EXPECT_EQ(from_file.TrustedProxies()[0].prefix, 96 + 16);
  std::remove(file.c_str());
}

TEST(Config, ATrustedProxyThatIsNotAnAddressNamesTheKeyAndTheItem) {
  try {
    Load({}, Env({{"OAKGATE_TRUSTED_PROXIES", "127.0.0.1,nginx"}}));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "trusted_proxies");
    EXPECT_NE(std::string(e.what()).find("nginx"), std::string::npos) << e.what();
  }
}

TEST(Config, ColourIsAPlainToken) {
  EXPECT_EQ(Load({}, Env({})).colour, "");
  EXPECT_EQ(Load({}, Env({{"OAKGATE_COLOUR", "green"}})).colour, "green");
  std::string file = WriteFile(R"({"colour": "blue"})");
  EXPECT_EQ(Load({}, Env({{"OAKGATE_CONFIG", file}})).colour, "blue");
  std::remove(file.c_str());
  for (const char* bad :
       {"blue\r\nSet-Cookie: x=1", "b lue", "b:lue", "0123456789012345678901234567890123"}) {
    try {
      Load({}, Env({{"OAKGATE_COLOUR", bad}}));
      ADD_FAILURE() << "accepted " << bad;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), "colour");
    }
  }
}

}  // namespace
}  // namespace oakgate::config
