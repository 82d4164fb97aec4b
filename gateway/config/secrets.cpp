#include "gateway/config/secrets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gateway/config/config.hpp"
#include "gateway/config/placeholder_secrets.hpp"
#include "gateway/util/strings.hpp"

namespace oakgate::config {
namespace {

constexpr size_t kMaxSecretFileBytes = 64 * 1024;

// One trailing line end, as `echo` or an editor leaves it; anything else is the secret.
std::string WithoutFinalNewline(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

std::string ReadFrom(const char* what_key, const std::string& path, const FileReader& read,
                     bool check_world_readable) {
  FileRead f = read(path);
  if (f.status == FileRead::Status::kMissing) {
    throw ConfigError(what_key, "cannot read " + path + ": no such file");
  }
  if (f.status == FileRead::Status::kError) {
    throw ConfigError(what_key, "cannot read " + path + ": " + f.error);
  }
  if (check_world_readable && f.world_readable) {
    throw ConfigError(what_key,
                      path + " is readable by everyone; make it 0600 or 0640 (chmod o-r)");
  }
  std::string secret = WithoutFinalNewline(std::move(f.content));
  if (secret.empty()) throw ConfigError(what_key, path + " is empty");
  return secret;
}

}  // namespace

FileRead ReadSecretFile(const std::string& path) {
  FileRead out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    out.status = errno == ENOENT ? FileRead::Status::kMissing : FileRead::Status::kError;
    out.error = std::strerror(errno);
    return out;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    out.status = FileRead::Status::kError;
    out.error = "not a regular file";
    return out;
  }
  if (static_cast<size_t>(st.st_size) > kMaxSecretFileBytes) {
    ::close(fd);
    out.status = FileRead::Status::kError;
    out.error = "larger than 64 KiB";
    return out;
  }
  out.world_readable = (st.st_mode & S_IROTH) != 0;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0 && out.content.size() <= kMaxSecretFileBytes) {
    out.content.append(buf, static_cast<size_t>(n));
  }
  int read_errno = errno;
  ::close(fd);
  if (n < 0) {
    out.status = FileRead::Status::kError;
    out.error = std::strerror(read_errno);
    return out;
  }
  out.status = FileRead::Status::kOk;
  return out;
}

std::optional<std::string> ResolveSecret(const SecretSource& s, const std::string& value,
                                         const std::string& file,
                                         const std::string& credentials_dir,
                                         const FileReader& read) {
  std::optional<FileRead> credential;
  std::string credential_path;
  if (!credentials_dir.empty()) {
    credential_path = credentials_dir + "/" + s.credential;
    FileRead c = read(credential_path);
    if (c.status != FileRead::Status::kMissing) credential = std::move(c);
  }
  std::string value_name = std::string(s.key) + " (" + s.env + ")";
  std::string file_name = std::string(s.file_key) + " (" + s.file_env + ")";
  std::string credential_name = std::string("the systemd credential ") + s.credential;
  auto both = [&s](const std::string& a, const std::string& b) {
    return ConfigError(s.key, a + " and " + b + " are both set; give one of them");
  };
  if (!value.empty() && !file.empty()) throw both(value_name, file_name);
  if (!value.empty() && credential) throw both(value_name, credential_name);
  if (!file.empty() && credential) throw both(file_name, credential_name);
  if (!value.empty()) return value;
  if (!file.empty()) return ReadFrom(s.file_key, file, read, true);
  if (credential) {
    // systemd makes credentials readable by the service's user only; the check costs nothing.
    return ReadFrom(
        s.key, credential_path, [&credential](const std::string&) { return *credential; }, true);
  }
  return std::nullopt;
}

bool IsPlaceholderSecret(std::string_view secret) {
  // The values the repository ships (placeholder_secrets.hpp), and anything that spells
  // "change me", which a future example would most likely use too.
  for (std::string_view p : kPlaceholderSecrets) {
    if (secret == p) return true;
  }
  std::string lower = util::ToLower(secret);
  for (const char* word : {"change-me", "changeme", "change_me"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

bool DatabaseUrlHasPassword(std::string_view url) {
  bool uri = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
  if (uri) {
    std::string_view rest = url.substr(url.find("://") + 3);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos &&
        authority.substr(0, at).find(':') != std::string_view::npos) {
      return true;
    }
    size_t q = rest.find('?');
    if (q == std::string_view::npos) return false;
    for (auto param : util::Split(rest.substr(q + 1), '&')) {
      if (param.rfind("password=", 0) == 0 || param == "password") return true;
    }
    return false;
  }
  // conninfo: keyword = value pairs separated by spaces (libpq §34.1.1).
  for (size_t i = url.find("password"); i != std::string_view::npos;
       i = url.find("password", i + 1)) {
    if (i > 0 && url[i - 1] != ' ' && url[i - 1] != '\t') continue;
    size_t j = i + 8;
    while (j < url.size() && (url[j] == ' ' || url[j] == '\t')) ++j;
    if (j < url.size() && url[j] == '=') return true;
  }
  return false;
}

std::string DatabaseUrlWithPassword(const std::string& url, const std::string& password) {
  bool uri = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
  if (uri) {
    // libpq percent-decodes URI parameters.
    std::string encoded;
    static const char* kHex = "0123456789ABCDEF";
    for (unsigned char c : password) {
      bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_' || c == '.' || c == '~';
      if (plain) {
        encoded += static_cast<char>(c);
      } else {
        encoded += '%';
        encoded += kHex[c >> 4];
        encoded += kHex[c & 15];
      }
    }
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "password=" + encoded;
  }
  // conninfo: a single-quoted value with \ and ' escaped by a backslash.
  std::string quoted = "'";
  for (char c : password) {
    if (c == '\\' || c == '\'') quoted += '\\';
    quoted += c;
  }
  quoted += "'";
  return url + (url.empty() ? "" : " ") + "password=" + quoted;
}

}  // namespace oakgate::config
