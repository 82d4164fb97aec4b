#pragma once
// The common refresh (RFC 6749 §6 with neither `scope` nor `resource`) up to its write, so
// the token service can hand it to the RotationWriter from the reactor thread, and the grant
// can use it on a worker.
#include <optional>

#include "gateway/oauth/grants/grant.hpp"
#include "gateway/oauth/grants/issue.hpp"

namespace oakgate::oauth::grants {

struct Rotation {
  Minted minted;                   // the new tokens
  store::RotationRequest request;  // what to store
};

// The rotation a well-formed refresh request without `scope` or `resource` asks for, from
// memory; nullopt for any other request (the grant answers it).
std::optional<Rotation> PrepareRotation(const OAuthSettings& settings, const Caller& caller,
                                        const AuthenticatedClient& client,
                                        const TokenRequest& request);

// The answer to a rotation that committed.
TokenResponse RespondRotated(const Minted& minted, const store::Rotated& rotated);

}  // namespace oakgate::oauth::grants
