#pragma once
// RFC 8414 authorization server metadata.
#include <string>

namespace oakgate::oauth {

// The metadata document (JSON text) for `issuer` (no trailing slash).
// `registration` adds registration_endpoint (RFC 8414 §2) when dynamic registration is on.
std::string DiscoveryDocument(const std::string& issuer, bool registration = false);
// The path component of the issuer ("" for none), e.g. "/tenant" for https://h/tenant.
std::string IssuerPath(const std::string& issuer);

}  // namespace oakgate::oauth
