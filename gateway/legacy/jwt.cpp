#include "gateway/legacy/jwt.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cmath>
#include <set>

#include "gateway/crypto/base64.hpp"
#include "gateway/crypto/compare.hpp"
#include "gateway/crypto/hmac.hpp"

namespace oakgate::legacy {
namespace {

using util::Fail;

// Claims and headers are flat in practice; deeper nesting is refused before a DOM is built.
constexpr size_t kMaxDepth = 8;

// A first pass over the JSON text that refuses what nlohmann's DOM parser would silently
// accept: a member name given twice (RFC 7515 §5.2 step 4: reject, or use a parser that
// does) and deep nesting.
class StrictSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    objects_.emplace_back();
    return ++depth_ <= kMaxDepth;
  }
  bool key(string_t& name) override { return objects_.back().insert(name).second; }
  bool end_object() override {
    objects_.pop_back();
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    objects_.emplace_back();  // keeps end_object's pop paired; arrays have no keys
    return ++depth_ <= kMaxDepth;
  }
  bool end_array() override {
    objects_.pop_back();
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  std::vector<std::set<std::string>> objects_;
  size_t depth_ = 0;
};

std::optional<nlohmann::json> StrictObject(const std::string& text) {
  StrictSax sax;
  // sax_parse reports errors through parse_error (never throws with a SAX that returns false).
  if (!nlohmann::json::sax_parse(text, &sax, nlohmann::json::input_format_t::json, true, false)) {
    return std::nullopt;
  }
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

std::optional<JwtAlg> AlgOf(std::string_view name) {
  // RFC 7518 §3.1 names; case-sensitive (RFC 7515 §4.1.1).
  if (name == "HS256") return JwtAlg::kHs256;
  if (name == "RS256") return JwtAlg::kRs256;
  if (name == "ES256") return JwtAlg::kEs256;
  return std::nullopt;
}

// RFC 7519 §2 NumericDate: a JSON number of seconds, possibly fractional.
std::optional<int64_t> NumericDate(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || d < -1e15 || d > 1e15) return std::nullopt;
    return static_cast<int64_t>(std::floor(d));
  }
  return std::nullopt;
}

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// JWS ES256 carries R || S, 32 bytes each (RFC 7518 §3.4); OpenSSL verifies DER.
std::optional<std::string> EcdsaRawToDer(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (!sig) return std::nullopt;
  auto* data = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(data, 32, nullptr);
  BIGNUM* s = BN_bin2bn(data + 32, 32, nullptr);
  if (!r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace

std::string_view FailureName(JwtFailure f) {
  switch (f) {
    case JwtFailure::kMalformed:
      return "malformed";
    case JwtFailure::kRefusedAlg:
      return "refused_alg";
    case JwtFailure::kRefusedHeader:
      return "refused_header";
    case JwtFailure::kBadSignature:
      return "bad_signature";
    case JwtFailure::kMissingExp:
      return "missing_exp";
    case JwtFailure::kExpired:
      return "expired";
    case JwtFailure::kNotYetValid:
      return "not_yet_valid";
    case JwtFailure::kWrongIssuer:
      return "wrong_issuer";
    case JwtFailure::kWrongAudience:
      return "wrong_audience";
    case JwtFailure::kMissingUser:
      return "missing_user";
  }
  return "unknown";
}

util::Result<ParsedJwt, JwtFailure> ParseJwt(std::string_view token) {
  if (token.empty() || token.size() > kMaxJwtBytes) return Fail(JwtFailure::kMalformed);
  // RFC 7515 §7.1: exactly three segments; a JWE (five) or anything else is refused.
  size_t first = token.find('.');
  if (first == std::string_view::npos) return Fail(JwtFailure::kMalformed);
  size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return Fail(JwtFailure::kMalformed);
  }
  std::string_view h64 = token.substr(0, first);
  std::string_view p64 = token.substr(first + 1, second - first - 1);
  std::string_view s64 = token.substr(second + 1);
  if (h64.empty() || p64.empty() || s64.empty()) return Fail(JwtFailure::kMalformed);
  auto header_text = crypto::Base64UrlDecode(h64);
  auto payload_text = crypto::Base64UrlDecode(p64);
  auto signature = crypto::Base64UrlDecode(s64);
  if (!header_text || !payload_text || !signature) return Fail(JwtFailure::kMalformed);
  auto header = StrictObject(*header_text);
  auto claims = StrictObject(*payload_text);
  if (!header || !claims) return Fail(JwtFailure::kMalformed);

  auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string()) return Fail(JwtFailure::kRefusedAlg);
  // RFC 7515 §4.1.11: crit names extensions we would have to understand; we understand none.
  // A key or key location in the header is the attacker's choice of key: never used.
  for (const char* name : {"crit", "jwk", "jku", "x5u", "x5c"}) {
    if (header->contains(name)) return Fail(JwtFailure::kRefusedHeader);
  }
  // RFC 7515 §4.1.10: if typ is present it names this as a JWT.
  if (auto typ = header->find("typ"); typ != header->end()) {
    if (!typ->is_string() || (*typ != "JWT" && *typ != "jwt")) {
      return Fail(JwtFailure::kRefusedHeader);
    }
  }
  ParsedJwt out;
  out.alg = alg->get<std::string>();
  out.signing_input = std::string(token.substr(0, second));
  out.signature = std::move(*signature);
  out.header = std::move(*header);
  out.claims = std::move(*claims);
  return out;
}

struct JwtKeys::Impl {
  std::optional<std::string> hmac_secret;
  std::unique_ptr<EVP_PKEY, PkeyFree> public_key;
  std::optional<JwtAlg> public_alg;
};

JwtKeys::JwtKeys() : impl_(std::make_unique<Impl>()) {}
JwtKeys::~JwtKeys() = default;
JwtKeys::JwtKeys(JwtKeys&&) noexcept = default;
JwtKeys& JwtKeys::operator=(JwtKeys&&) noexcept = default;

std::optional<std::string> JwtKeys::SetPublicKeyPem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return "out of memory";
  EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!raw) return "expected a PEM public key (-----BEGIN PUBLIC KEY-----)";
  std::unique_ptr<EVP_PKEY, PkeyFree> key(raw);
  if (EVP_PKEY_is_a(key.get(), "RSA")) {
    if (EVP_PKEY_get_bits(key.get()) < 2048) return "an RSA key must have at least 2048 bits";
    impl_->public_alg = JwtAlg::kRs256;
  } else if (EVP_PKEY_is_a(key.get(), "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &len) != 1 ||
        std::string_view(group, len) != "prime256v1") {
      return "an EC key must be on P-256 (ES256)";
    }
    impl_->public_alg = JwtAlg::kEs256;
  } else {
    return "the key must be RSA (RS256) or EC P-256 (ES256)";
  }
  impl_->public_key = std::move(key);
  return std::nullopt;
}

void JwtKeys::SetHmacSecret(std::string secret) { impl_->hmac_secret = std::move(secret); }

std::vector<JwtAlg> JwtKeys::Allowed() const {
  std::vector<JwtAlg> out;
  if (impl_->hmac_secret) out.push_back(JwtAlg::kHs256);
  if (impl_->public_alg) out.push_back(*impl_->public_alg);
  return out;
}

bool JwtKeys::Verify(JwtAlg alg, std::string_view signing_input, std::string_view signature) const {
  if (alg == JwtAlg::kHs256) {
    // Only the configured secret keys HMAC: never the public key's bytes.
    if (!impl_->hmac_secret) return false;
    auto mac = crypto::HmacSha256(*impl_->hmac_secret, signing_input);
    return crypto::ConstantTimeEquals(
        std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()), signature);
  }
  if (!impl_->public_key || impl_->public_alg != alg) return false;
  std::string der;
  if (alg == JwtAlg::kEs256) {
    auto converted = EcdsaRawToDer(signature);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  // RS256 is RSASSA-PKCS1-v1_5 (RFC 7518 §3.3), OpenSSL's default padding for RSA.
  if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr,
                              impl_->public_key.get(), nullptr) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

util::Result<VerifiedJwt, JwtFailure> VerifyJwt(std::string_view token, const JwtKeys& keys,
                                                const JwtPolicy& policy, int64_t now) {
  auto parsed = ParseJwt(token);
  if (!parsed) return Fail(parsed.error());
  const ParsedJwt& jwt = parsed.value();
  // The allow-list: the token names its algorithm, but only one a configured key admits is
  // tried, with that key (RFC 8725 §3.1). "none" is never in it.
  auto alg = AlgOf(jwt.alg);
  if (!alg) return Fail(JwtFailure::kRefusedAlg);
  bool allowed = false;
  for (JwtAlg a : keys.Allowed()) allowed = allowed || a == *alg;
  if (!allowed) return Fail(JwtFailure::kRefusedAlg);
  if (!keys.Verify(*alg, jwt.signing_input, jwt.signature)) {
    return Fail(JwtFailure::kBadSignature);
  }

  const nlohmann::json& c = jwt.claims;
  VerifiedJwt out;
  auto exp_it = c.find("exp");
  if (exp_it == c.end()) return Fail(JwtFailure::kMissingExp);
  auto exp = NumericDate(*exp_it);
  if (!exp) return Fail(JwtFailure::kMissingExp);
  // RFC 7519 §4.1.4: not accepted on or after exp, with some leeway.
  if (now >= *exp + kLeewaySeconds) return Fail(JwtFailure::kExpired);
  out.exp = *exp;
  if (auto nbf_it = c.find("nbf"); nbf_it != c.end()) {
    auto nbf = NumericDate(*nbf_it);
    // RFC 7519 §4.1.5: not accepted before nbf.
    if (!nbf) return Fail(JwtFailure::kMalformed);
    if (now + kLeewaySeconds < *nbf) return Fail(JwtFailure::kNotYetValid);
  }
  if (auto iat_it = c.find("iat"); iat_it != c.end()) {
    auto iat = NumericDate(*iat_it);
    if (!iat) return Fail(JwtFailure::kMalformed);
    // A token issued in the future was not issued by a clock we trust.
    if (now + kLeewaySeconds < *iat) return Fail(JwtFailure::kNotYetValid);
    out.iat = *iat;
  }
  auto iss_it = c.find("iss");
  if (iss_it != c.end()) {
    if (!iss_it->is_string()) return Fail(JwtFailure::kWrongIssuer);
    out.iss = iss_it->get<std::string>();
  }
  if (policy.issuer && out.iss != policy.issuer) return Fail(JwtFailure::kWrongIssuer);
  if (policy.audience) {
    // RFC 7519 §4.1.3: a string or an array of strings, one of which must be ours.
    bool ours = false;
    auto aud = c.find("aud");
    if (aud != c.end() && aud->is_string()) ours = *aud == *policy.audience;
    if (aud != c.end() && aud->is_array()) {
      for (const auto& a : *aud) ours = ours || (a.is_string() && a == *policy.audience);
    }
    if (!ours) return Fail(JwtFailure::kWrongAudience);
  }
  auto user = c.find(policy.user_claim);
  if (user == c.end() || !user->is_string() || user->get<std::string>().empty()) {
    return Fail(JwtFailure::kMissingUser);
  }
  out.user = user->get<std::string>();
  if (auto jti = c.find("jti"); jti != c.end()) {
    if (!jti->is_string() || jti->get<std::string>().empty()) return Fail(JwtFailure::kMalformed);
    out.jti = jti->get<std::string>();
  }
  return out;
}

}  // namespace oakgate::legacy
