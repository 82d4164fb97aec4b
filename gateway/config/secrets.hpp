#pragma once
// Secret settings from files and systemd credentials (issue 25): `secret`, `secret_previous`,
// `legacy_jwt_hs256_secret` and the database URL's password can each be given as a value, as
// a file (`OAKGATE_..._FILE` / `..._file`) or as a systemd credential (LoadCredential=, read
// from $CREDENTIALS_DIRECTORY), but only one of these at a time.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace oakgate::config {

struct FileRead {
  enum class Status { kOk, kMissing, kError };
  Status status = Status::kMissing;
  std::string content;
  bool world_readable = false;
  std::string error;  // why it could not be read (kError)
};
// Injected so the resolution is tested without a file system.
using FileReader = std::function<FileRead(const std::string& path)>;
// The real one: a regular file of at most 64 KiB.
FileRead ReadSecretFile(const std::string& path);

struct SecretSource {
  const char* key;         // "secret"
  const char* env;         // "OAKGATE_SECRET"
  const char* file_key;    // "secret_file"
  const char* file_env;    // "OAKGATE_SECRET_FILE"
  const char* credential;  // "oakgate.secret", a name in $CREDENTIALS_DIRECTORY
};

// The secret from whichever one source is given: `value` (already taken from flags, env or
// the JSON file; "" for none), the file at `file` ("" for none), or the credential in
// `credentials_dir` ("" when not run with credentials). nullopt when none is given. Throws
// ConfigError naming both sources when two are given, naming the file key when the file
// cannot be read, is readable by everyone, or is empty.
std::optional<std::string> ResolveSecret(const SecretSource& source, const std::string& value,
                                         const std::string& file,
                                         const std::string& credentials_dir,
                                         const FileReader& read);

// A secret shipped in this repository (kPlaceholderSecrets in placeholder_secrets.hpp), or
// anything spelled like one ("change-me"): never to be served with.
bool IsPlaceholderSecret(std::string_view secret);

// Whether a libpq URI or conninfo string carries a password, and the string with one added.
bool DatabaseUrlHasPassword(std::string_view url);
std::string DatabaseUrlWithPassword(const std::string& url, const std::string& password);

}  // namespace oakgate::config
