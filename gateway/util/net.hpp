#pragma once
// IP addresses and CIDR ranges, for deciding which peers are trusted proxies.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oakgate::util {

// An IPv4 or IPv6 address. IPv4 is kept as an IPv4-mapped IPv6 address (::ffff:a.b.c.d), so
// "127.0.0.1" and "::ffff:127.0.0.1" are the same address.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool v4 = false;
  // The canonical text: dotted quad for IPv4 (also when it arrived IPv4-mapped), RFC 5952
  // for IPv6.
  std::string ToString() const;
  bool operator==(const IpAddress&) const = default;
};

// Parses "192.0.2.1", "2001:db8::1" or "[2001:db8::1]"; nullopt for anything else
// (host names, ports, zone ids).
std::optional<IpAddress> ParseIpAddress(std::string_view text);

struct IpRange {
  IpAddress base;
  int prefix = 128;  // over the 128-bit form; an IPv4 /n is stored as /(96+n)
  bool Contains(const IpAddress& a) const;
};

// "10.0.0.0/8", "::1", "127.0.0.1" (a single address is a /32 or /128). nullopt when the
// address does not parse or the prefix is out of range.
std::optional<IpRange> ParseIpRange(std::string_view text);

// A list separated by commas and/or whitespace; empty text is an empty list. On a bad item
// returns nullopt and puts the item in *bad.
std::optional<std::vector<IpRange>> ParseIpRangeList(std::string_view text,
                                                     std::string* bad = nullptr);

bool InAnyRange(const std::vector<IpRange>& ranges, const IpAddress& a);

}  // namespace oakgate::util
