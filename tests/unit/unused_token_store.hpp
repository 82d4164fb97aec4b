#pragma once
// A TokenStore whose every method throws Unused: a unit test's fake derives from it and
// overrides only what the code under test calls, so a call it did not expect fails loudly.
#include <stdexcept>

#include "gateway/store/token_store.hpp"

namespace oakgate::testing {

struct Unused : std::logic_error {
  Unused() : std::logic_error("not used by this test") {}
};

class UnusedTokenStore : public store::TokenStore {
 public:
  std::optional<store::AccessToken> FindActiveAccessToken(std::string_view) override {
    throw Unused();
  }
  void CreateCode(const store::NewCode&) override { throw Unused(); }
  std::optional<store::AuthorizationCode> FindCode(std::string_view) override { throw Unused(); }
  std::optional<store::Issued> RedeemCode(const store::AuthorizationCode&, int64_t, int64_t,
                                          const store::NewTokens&) override {
    throw Unused();
  }
  std::optional<store::RefreshTokenRecord> FindRefreshToken(std::string_view) override {
    throw Unused();
  }
  std::optional<store::Issued> Rotate(const store::RefreshTokenRecord&,
                                      const store::NewTokens&) override {
    throw Unused();
  }
  std::optional<store::Issued> RotateAgain(const store::RefreshTokenRecord&, int64_t,
                                           const store::NewTokens&) override {
    throw Unused();
  }
  std::vector<store::Issued> IssueClientCredentials(
      const std::vector<store::ClientCredentialsIssue>&) override {
    throw Unused();
  }
  bool AccessTokenStored(std::string_view) override { throw Unused(); }
  bool RevokeFamily(int64_t, std::string_view, const store::AuditEvent&) override {
    throw Unused();
  }
  bool RevokeAccessToken(int64_t, const store::AuditEvent&) override { throw Unused(); }
  std::optional<store::TokenOwner> FindAccessTokenOwner(std::string_view) override {
    throw Unused();
  }
  std::vector<store::Grant> ListGrants(std::string_view) override { throw Unused(); }
  bool RevokeGrantForUser(std::string_view, int64_t, const store::AuditEvent&) override {
    throw Unused();
  }
};

}  // namespace oakgate::testing
