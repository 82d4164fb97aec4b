// Secret settings from values, files and systemd credentials (gateway/config/secrets), with an
// injected file reader: no file system.
#include <gtest/gtest.h>

#include <map>

#include "gateway/config/config.hpp"
#include "gateway/config/placeholder_secrets.hpp"
#include "gateway/config/secrets.hpp"

namespace oakgate::config {
namespace {

constexpr const char* kGood = "a-real-secret-0123456789abcdefghijklmnopqrstuvwxyz";

struct FakeFile {
  std::string content;
  bool world_readable = false;
};

FileReader Files(std::map<std::string, FakeFile> files) {
  return [files](const std::string& path) {
    FileRead r;
    auto it = files.find(path);
    if (it == files.end()) return r;  // kMissing
    r.status = FileRead::Status::kOk;
    r.content = it->second.content;
    r.world_readable = it->second.world_readable;
    return r;
  };
}

EnvLookup Env(std::map<std::string, std::string> values) {
  return [values](const std::string& k) -> std::optional<std::string> {
    auto it = values.find(k);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

// The ConfigError's message, "" when none was thrown.
template <typename F>
std::string ErrorOf(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigSecrets, EachSecretComesFromItsValueItsFileOrItsCredential) {
  struct Case {
    const char* key;
    const char* env;
    const char* file_env;
    const char* credential;
    std::string Config::*member;
  };
  std::vector<Case> cases = {
      {"secret", "OAKGATE_SECRET", "OAKGATE_SECRET_FILE", "oakgate.secret", &Config::secret},
      {"secret_previous", "OAKGATE_SECRET_PREVIOUS", "OAKGATE_SECRET_PREVIOUS_FILE",
       "oakgate.secret_previous", &Config::secret_previous},
      {"legacy_jwt_hs256_secret", "OAKGATE_LEGACY_JWT_HS256_SECRET",
       "OAKGATE_LEGACY_JWT_HS256_SECRET_FILE", "oakgate.legacy_jwt_hs256_secret",
       &Config::legacy_jwt_hs256_secret},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key);
    auto files = Files({{"/run/s", {std::string(kGood) + "\n"}},
                        {std::string("/creds/") + c.credential, {kGood}}});
    EXPECT_EQ(Load({}, Env({{c.env, kGood}}), files).*c.member, kGood);
    EXPECT_EQ(Load({}, Env({{c.file_env, "/run/s"}}), files).*c.member, kGood)
        << "one final newline is not part of the secret";
    EXPECT_EQ(Load({}, Env({{"CREDENTIALS_DIRECTORY", "/creds"}}), files).*c.member, kGood);
    // The JSON key of the file form is known too (a flag stands for any source of keys).
    EXPECT_EQ(Load({{std::string(c.key) + "_file", "/run/s"}}, Env({}), files).*c.member, kGood);
  }
}

TEST(ConfigSecrets, AValueAndItsFileTogetherAreAnErrorNamingBoth) {
  auto files = Files({{"/run/s", {kGood}}, {"/creds/oakgate.secret", {kGood}}});
  std::string e = ErrorOf([&] {
    Load({}, Env({{"OAKGATE_SECRET", kGood}, {"OAKGATE_SECRET_FILE", "/run/s"}}), files);
  });
  EXPECT_NE(e.find("(OAKGATE_SECRET)"), std::string::npos) << e;
  EXPECT_NE(e.find("OAKGATE_SECRET_FILE"), std::string::npos) << e;
  e = ErrorOf([&] {
    Load({}, Env({{"OAKGATE_SECRET", kGood}, {"CREDENTIALS_DIRECTORY", "/creds"}}), files);
  });
  EXPECT_NE(e.find("OAKGATE_SECRET"), std::string::npos) << e;
  EXPECT_NE(e.find("credential oakgate.secret"), std::string::npos) << e;
  e = ErrorOf([&] {
    Load({}, Env({{"OAKGATE_SECRET_FILE", "/run/s"}, {"CREDENTIALS_DIRECTORY", "/creds"}}), files);
  });
  EXPECT_NE(e.find("OAKGATE_SECRET_FILE"), std::string::npos) << e;
  EXPECT_NE(e.find("credential oakgate.secret"), std::string::npos) << e;
}

TEST(ConfigSecrets, AFileThatIsMissingEmptyOrWorldReadableIsRefusedByName) {
  auto files = Files({{"/run/open", {kGood, true}}, {"/run/empty", {"\n"}}});
  std::string e = ErrorOf([&] { Load({}, Env({{"OAKGATE_SECRET_FILE", "/run/open"}}), files); });
  EXPECT_NE(e.find("secret_file"), std::string::npos) << e;
  EXPECT_NE(e.find("readable by everyone"), std::string::npos) << e;
  e = ErrorOf([&] { Load({}, Env({{"OAKGATE_SECRET_FILE", "/run/empty"}}), files); });
  EXPECT_NE(e.find("is empty"), std::string::npos) << e;
  e = ErrorOf([&] { Load({}, Env({{"OAKGATE_SECRET_PREVIOUS_FILE", "/run/none"}}), files); });
  EXPECT_NE(e.find("secret_previous_file"), std::string::npos) << e;
  EXPECT_NE(e.find("no such file"), std::string::npos) << e;
  // A world-readable credential is refused the same way.
  e = ErrorOf([&] {
    Load({}, Env({{"CREDENTIALS_DIRECTORY", "/c"}}), Files({{"/c/oakgate.secret", {kGood, true}}}));
  });
  EXPECT_NE(e.find("readable by everyone"), std::string::npos) << e;
}

TEST(ConfigSecrets, TheDatabasePasswordIsAddedToTheUrlFromAFileOrACredential) {
  auto files =
      Files({{"/run/pw", {"p@ss w'o\\rd\n"}}, {"/creds/oakgate.database_password", {"x"}}});
  Config uri =
      Load({},
           Env({{"OAKGATE_DATABASE_URL", "postgresql://oakgate@/oakgate?host=/run/postgresql"},
                {"OAKGATE_DATABASE_PASSWORD_FILE", "/run/pw"}}),
           files);
  EXPECT_EQ(uri.database_url,
            "postgresql://oakgate@/oakgate?host=/run/postgresql&password=p%40ss%20w%27o%5Crd");
  Config conninfo = Load({},
                         Env({{"OAKGATE_DATABASE_URL", "host=/run/postgresql dbname=oakgate"},
                              {"OAKGATE_DATABASE_PASSWORD_FILE", "/run/pw"}}),
                         files);
  EXPECT_EQ(conninfo.database_url,
            "host=/run/postgresql dbname=oakgate password='p@ss w\\'o\\\\rd'");
  Config cred = Load(
      {},
      Env({{"OAKGATE_DATABASE_URL", "postgresql://u@h/db"}, {"CREDENTIALS_DIRECTORY", "/creds"}}),
      files);
  EXPECT_EQ(cred.database_url, "postgresql://u@h/db?password=x");
}

TEST(ConfigSecrets, APasswordInTheUrlAndAPasswordFileTogetherAreAnError) {
  auto files = Files({{"/run/pw", {"pw"}}});
  for (const char* url : {"postgresql://u:secret@h/db", "postgresql://u@h/db?password=secret",
                          "host=h password=secret", "host=h password = secret"}) {
    SCOPED_TRACE(url);
    std::string e = ErrorOf([&] {
      Load({}, Env({{"OAKGATE_DATABASE_URL", url}, {"OAKGATE_DATABASE_PASSWORD_FILE", "/run/pw"}}),
           files);
    });
    EXPECT_NE(e.find("database_url"), std::string::npos) << e;
    EXPECT_NE(e.find("OAKGATE_DATABASE_PASSWORD_FILE"), std::string::npos) << e;
  }
  EXPECT_FALSE(DatabaseUrlHasPassword("postgresql://u@h/db?host=/x"));
  EXPECT_FALSE(DatabaseUrlHasPassword("host=h passwordless=1 user=u"));
}

TEST(ConfigSecrets, ThePlaceholdersOfTheExampleFilesAreRefusedForServe) {
  for (std::string_view p : kPlaceholderSecrets) EXPECT_TRUE(IsPlaceholderSecret(p)) << p;
  EXPECT_TRUE(IsPlaceholderSecret("CHANGEME-CHANGEME-CHANGEME-CHANGEME-0000"));
  EXPECT_FALSE(IsPlaceholderSecret(kGood));
  struct Case {
    const char* env;
    const char* key;
  };
  for (const auto& c :
       std::vector<Case>{{"OAKGATE_SECRET", "secret"},
                         {"OAKGATE_SECRET_PREVIOUS", "secret_previous"},
                         {"OAKGATE_LEGACY_JWT_HS256_SECRET", "legacy_jwt_hs256_secret"}}) {
    SCOPED_TRACE(c.key);
    std::map<std::string, std::string> env = {{"OAKGATE_DATABASE_URL", "postgresql:///x"},
                                              {"OAKGATE_SECRET", kGood}};
    env[c.env] = "change-me-to-48-random-bytes-in-base64-000000000000";
    Config cfg = Load({}, Env(env), Files({}));
    std::string e = ErrorOf([&] { ValidateForServe(cfg); });
    EXPECT_EQ(e.rfind(std::string(c.key) + ":", 0), 0u) << e;
    EXPECT_NE(e.find("placeholder"), std::string::npos) << e;
  }
}

}  // namespace
}  // namespace oakgate::config
