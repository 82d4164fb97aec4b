#include "gateway/webhook/address_policy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace oakgate::webhook {
namespace {

bool PublicV4(uint32_t a) {  // host order
  auto in = [a](uint32_t net, int bits) {
    uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (a & mask) == net;
  };
  return !(in(0x00000000, 8)       // "this network"
           || in(0x0A000000, 8)    // 10/8 private (RFC 1918)
           || in(0x64400000, 10)   // 100.64/10 shared address space (RFC 6598)
           || in(0x7F000000, 8)    // loopback
           || in(0xA9FE0000, 16)   // link-local (cloud metadata lives here)
           || in(0xAC100000, 12)   // 172.16/12 private
           || in(0xC0000000, 24)   // IETF protocol assignments
           || in(0xC0000200, 24)   // TEST-NET-1
           || in(0xC0A80000, 16)   // 192.168/16 private
           || in(0xC6120000, 15)   // benchmarking
           || in(0xC6336400, 24)   // TEST-NET-2
           || in(0xCB007100, 24)   // TEST-NET-3
           || in(0xE0000000, 4)    // multicast
           || in(0xF0000000, 4));  // reserved and broadcast
}

bool PublicV6(const in6_addr& a) {
  const uint8_t* b = a.s6_addr;
  static const uint8_t zero[16] = {};
  if (std::memcmp(b, zero, 16) == 0) return false;                // ::
  if (std::memcmp(b, zero, 15) == 0 && b[15] == 1) return false;  // ::1
  if (IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_V4COMPAT(&a)) {
    uint32_t v4 =
        (uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) | b[15];
    return PublicV4(v4);
  }
  if (b[0] == 0xff) return false;                           // multicast
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;  // link-local fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return false;  // site-local fec0::/10
  if ((b[0] & 0xfe) == 0xfc) return false;                  // unique local fc00::/7
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // docs
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) return false;  // NAT64
  if (b[0] == 0x20 && b[1] == 0x02) {  // 6to4 embeds IPv4
    uint32_t v4 = (uint32_t{b[2]} << 24) | (uint32_t{b[3]} << 16) | (uint32_t{b[4]} << 8) | b[5];
    return PublicV4(v4);
  }
  return true;
}

}  // namespace

bool IsPublicAddress(const sockaddr* address) {
  if (!address) return false;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return PublicV4(ntohl(v4->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    return PublicV6(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr);
  }
  return false;
}

bool IsAddressLiteral(std::string_view text) {
  std::string s(text);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  in_addr v4{};
  in6_addr v6{};
  return inet_pton(AF_INET, s.c_str(), &v4) == 1 || inet_pton(AF_INET6, s.c_str(), &v6) == 1;
}

bool IsPublicAddressText(std::string_view text) {
  std::string s(text);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, s.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    return IsPublicAddress(reinterpret_cast<sockaddr*>(&v4));
  }
  if (inet_pton(AF_INET6, s.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    return IsPublicAddress(reinterpret_cast<sockaddr*>(&v6));
  }
  return false;
}

std::optional<std::string> CheckUrl(std::string_view url, bool allow_private) {
  if (url.empty() || url.size() > kMaxUrlLength) return "url must be 1 to 2048 characters";
  if (std::any_of(url.begin(), url.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f;
      })) {
    return "url must not contain spaces or control characters";
  }
  std::string_view rest;
  if (url.substr(0, 8) == "https://") {
    rest = url.substr(8);
  } else if (url.substr(0, 7) == "http://") {
    if (!allow_private) return "url must be https";
    rest = url.substr(7);
  } else {
    return allow_private ? "url must be http or https" : "url must be https";
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return "url must not carry credentials";
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return "url has a malformed host";
    host = host.substr(0, close + 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.empty()) return "url must name a host";
  if (!allow_private) {
    std::string lower(host);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "localhost" ||
        (lower.size() > 10 && lower.substr(lower.size() - 10) == ".localhost")) {
      return "url must not name a loopback, private, link-local or multicast address";
    }
    if (IsAddressLiteral(host) && !IsPublicAddressText(host)) {
      return "url must not name a loopback, private, link-local or multicast address";
    }
  }
  return std::nullopt;
}

}  // namespace oakgate::webhook
