#pragma once
// SHA-256 with the digest fetched once (EVP_MD_fetch) and one EVP_MD_CTX per thread:
// in OpenSSL 3.0, EVP_sha256()/SHA256() fetch implicitly on every call and contend on a lock.
#include <array>
#include <string>
#include <string_view>

namespace oakgate::crypto {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest Sha256(std::string_view data);
// Lower-case hex of a digest (64 characters).
std::string ToHex(const Sha256Digest& digest);
// The digest as raw bytes in a std::string (32 bytes), e.g. for a bytea parameter.
std::string ToBytes(const Sha256Digest& digest);

}  // namespace oakgate::crypto
