#pragma once
// Where webhooks may go (CONTRACT §11): https only, and never to loopback, private,
// link-local, multicast or otherwise non-public addresses, unless webhook_allow_private (tests,
// private networks), which also allows http. The URL is checked when an endpoint is written
// (a literal address, the scheme, the form) and the address is checked again on every attempt
// after it is resolved (sender.cpp), so a name that resolves, or later re-resolves, to an
// internal address (DNS rebinding) is never connected to.
#include <optional>
#include <string>
#include <string_view>

struct sockaddr;

namespace oakgate::webhook {

inline constexpr size_t kMaxUrlLength = 2048;

// Why `url` may not be an endpoint's, or nullopt when it may.
std::optional<std::string> CheckUrl(std::string_view url, bool allow_private);
// Whether an address (IPv4 or IPv6, as resolved) is a public unicast one.
bool IsPublicAddress(const sockaddr* address);
// The same for an address in text ("10.0.0.1", "::1"); false when it is not an address.
bool IsPublicAddressText(std::string_view text);
// Whether `text` is an IP address literal (IPv4 dotted, or IPv6 with or without brackets).
bool IsAddressLiteral(std::string_view text);

}  // namespace oakgate::webhook
