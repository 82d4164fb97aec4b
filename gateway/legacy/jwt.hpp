#pragma once
// The legacy JWT bridge's token check (CONTRACT §12): a strict parser of JWS compact
// serialisation (RFC 7515 §7.1) and a verifier bound to configured keys.
//
// Why our own parser on OpenSSL's EVP verify rather than Debian's libjwt (1.10) or cpp-jwt:
// both take the algorithm from the token's header and then use whatever key bytes they were
// given for it, so one key configured for RS256 verifies an HS256 token keyed by its own PEM
// text unless every caller remembers to re-check the algorithm; libjwt 1.x also accepts
// "none" when given no key. Here a key is parsed once into a typed key that admits exactly one
// algorithm, the header is parsed strictly (no duplicate member, no `crit`, no embedded or
// remote key), and the whole parser is a pure function the fuzz target drives.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/util/result.hpp"

namespace oakgate::legacy {

// Longest token accepted, in bytes: a legacy token is a few hundred bytes; anything longer
// is refused before it is decoded. The HTTP layer already refuses any parameter over 4 KiB.
inline constexpr size_t kMaxJwtBytes = 4096;
// RFC 7519 §4.1.4-4.1.6: clock skew allowed on exp, nbf and iat.
inline constexpr int64_t kLeewaySeconds = 60;

enum class JwtAlg { kHs256, kRs256, kEs256 };

enum class JwtFailure {
  kMalformed,      // not three base64url segments of JSON objects, too long, duplicate member
  kRefusedAlg,     // alg absent, "none", unknown, or not configured
  kRefusedHeader,  // crit, or a key or key URL carried in the header (jwk, jku, x5u, x5c)
  kBadSignature,
  kMissingExp,
  kExpired,
  kNotYetValid,  // nbf or iat in the future beyond the leeway
  kWrongIssuer,
  kWrongAudience,
  kMissingUser,  // the configured user claim is absent or not a string
};

std::string_view FailureName(JwtFailure f);

// A token split and decoded, not yet verified.
struct ParsedJwt {
  std::string alg;            // the header's alg, as sent
  std::string signing_input;  // BASE64URL(header) "." BASE64URL(payload)
  std::string signature;      // raw bytes
  nlohmann::json header;      // an object
  nlohmann::json claims;      // an object
};

// Pure and total: any input gives a value or a failure, never an exception.
util::Result<ParsedJwt, JwtFailure> ParseJwt(std::string_view token);

// What the bridge uses of a verified token.
struct VerifiedJwt {
  std::string user;  // the value of the configured user claim
  std::optional<std::string> jti;
  int64_t exp = 0;
  std::optional<int64_t> iat;
  std::optional<std::string> iss;
};

struct JwtPolicy {
  std::optional<std::string> issuer;    // checked when set (RFC 7519 §4.1.1)
  std::optional<std::string> audience;  // checked when set (RFC 7519 §4.1.3)
  std::string user_claim = "email";
};

// A public key (RSA of at least 2048 bits for RS256, EC P-256 for ES256) and/or an HMAC secret
// for HS256. Each key admits its own algorithm only.
class JwtKeys {
 public:
  JwtKeys();
  ~JwtKeys();
  JwtKeys(JwtKeys&&) noexcept;
  JwtKeys& operator=(JwtKeys&&) noexcept;
  // nullopt on success, else why the PEM is refused.
  std::optional<std::string> SetPublicKeyPem(std::string_view pem);
  void SetHmacSecret(std::string secret);
  // The algorithms configured, in a fixed order.
  std::vector<JwtAlg> Allowed() const;
  bool Empty() const { return Allowed().empty(); }
  bool Verify(JwtAlg alg, std::string_view signing_input, std::string_view signature) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses, checks the algorithm against `keys`, the signature, then the claims at `now`
// (seconds since the epoch).
util::Result<VerifiedJwt, JwtFailure> VerifyJwt(std::string_view token, const JwtKeys& keys,
                                                const JwtPolicy& policy, int64_t now);

}  // namespace oakgate::legacy
