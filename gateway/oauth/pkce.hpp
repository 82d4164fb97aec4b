#pragma once
// PKCE (RFC 7636), S256 only.
#include <string_view>

namespace oakgate::oauth {

// RFC 7636 §4.1: 43-128 characters of [A-Z a-z 0-9 - . _ ~].
bool IsValidCodeVerifier(std::string_view verifier);
// An S256 challenge is BASE64URL(SHA256(...)) without padding: exactly 43 base64url characters.
bool IsValidS256Challenge(std::string_view challenge);
// RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge, compared in
// constant time.
bool VerifyS256(std::string_view verifier, std::string_view challenge);

}  // namespace oakgate::oauth
