#pragma once
// scrypt password checks with a bound on how many run at once: each one holds 32 MiB for
// about 200 ms, so without a bound a burst of logins is a memory denial of service.
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>
#include <string_view>

#include "gateway/crypto/scrypt.hpp"

namespace oakgate::session {

class PasswordHasher {
 public:
  explicit PasswordHasher(int concurrency, crypto::ScryptParams params = {});
  std::string Hash(std::string_view password);
  bool Verify(std::string_view password, std::string_view encoded);
  // Spends the same time as a real check, for unknown emails (no user enumeration by timing).
  void VerifyDummy(std::string_view password);

 private:
  crypto::ScryptParams params_;
  std::counting_semaphore<1024> slots_;
  std::once_flag dummy_once_;
  std::string dummy_;  // made on first use: the CLI never needs it
};

}  // namespace oakgate::session
