#include "gateway/session/password.hpp"

#include "gateway/crypto/random.hpp"

namespace oakgate::session {
namespace {

class SlotGuard {
 public:
  explicit SlotGuard(std::counting_semaphore<1024>& s) : s_(s) { s_.acquire(); }
  ~SlotGuard() { s_.release(); }

 private:
  std::counting_semaphore<1024>& s_;
};

}  // namespace

PasswordHasher::PasswordHasher(int concurrency, crypto::ScryptParams params)
    : params_(params), slots_(concurrency > 0 ? concurrency : 1) {}

std::string PasswordHasher::Hash(std::string_view password) {
  SlotGuard guard(slots_);
  return crypto::ScryptHash(password, params_);
}

bool PasswordHasher::Verify(std::string_view password, std::string_view encoded) {
  SlotGuard guard(slots_);
  return crypto::ScryptVerify(password, encoded);
}

void PasswordHasher::VerifyDummy(std::string_view password) {
  std::call_once(dummy_once_, [this] { dummy_ = Hash(crypto::RandomToken(16)); });
  SlotGuard guard(slots_);
  (void)crypto::ScryptVerify(password, dummy_);
}

}  // namespace oakgate::session
