#include "gateway/http/forwarded.hpp"

#include "gateway/util/strings.hpp"

namespace oakgate::http {
namespace {

// Beyond this many hops the rest is ignored: no honest chain of proxies is this long.
constexpr size_t kMaxHops = 32;

}  // namespace

std::string ResolveClientAddress(std::string_view peer_address,
                                 const std::vector<std::string_view>& forwarded_for,
                                 const std::vector<util::IpRange>& trusted_proxies) {
  auto peer = util::ParseIpAddress(peer_address);
  if (!peer) return std::string(peer_address);
  if (trusted_proxies.empty() || !util::InAnyRange(trusted_proxies, *peer)) {
    return peer->ToString();
  }
  std::vector<std::string_view> hops;
  for (auto value : forwarded_for) {
    for (auto hop : util::Split(value, ',')) {
      hop = util::Trim(hop);
      if (!hop.empty()) hops.push_back(hop);
    }
  }
  util::IpAddress current = *peer;
  size_t walked = 0;
  for (auto it = hops.rbegin(); it != hops.rend() && walked < kMaxHops; ++it, ++walked) {
    auto hop = util::ParseIpAddress(*it);
    if (!hop) break;
    current = *hop;
    if (!util::InAnyRange(trusted_proxies, current)) break;
  }
  return current.ToString();
}

}  // namespace oakgate::http
