#pragma once
// The client address behind trusted reverse proxies (X-Forwarded-For).
#include <string>
#include <string_view>
#include <vector>

#include "gateway/util/net.hpp"

namespace oakgate::http {

// The address the gateway should treat as the client's: the peer itself unless the peer is
// a trusted proxy; then the rightmost X-Forwarded-For hop that is not a trusted proxy.
// Hops are read right to left because only the right end was written by proxies we trust;
// everything to the left of the first untrusted hop is whatever that client claimed.
// When every hop is trusted the leftmost is the client. A hop that is not an IP address
// stops the walk: the last trusted address (the proxy that passed it on) is used, so the
// result is always an address and never text a client made up.
//
// `forwarded_for` holds every X-Forwarded-For field value in arrival order (a repeated
// header is one list, RFC 9110 §5.3).
std::string ResolveClientAddress(std::string_view peer_address,
                                 const std::vector<std::string_view>& forwarded_for,
                                 const std::vector<util::IpRange>& trusted_proxies);

}  // namespace oakgate::http
