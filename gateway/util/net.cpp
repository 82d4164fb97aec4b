#include "gateway/util/net.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "gateway/util/strings.hpp"

namespace oakgate::util {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool IsV4Mapped(const std::array<uint8_t, 16>& b) {
  return std::memcmp(b.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size()) == 0;
}

}  // namespace

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (IsV4Mapped(bytes)) {
    inet_ntop(AF_INET, bytes.data() + 12, text, sizeof(text));
  } else {
    inet_ntop(AF_INET6, bytes.data(), text, sizeof(text));
  }
  return text;
}

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string s(text);
  IpAddress a;
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    std::memcpy(a.bytes.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size());
    std::memcpy(a.bytes.data() + 12, &v4, 4);
    a.v4 = true;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.v4 = IsV4Mapped(a.bytes);
    return a;
  }
  return std::nullopt;
}

bool IpRange::Contains(const IpAddress& a) const {
  int full = prefix / 8;
  if (std::memcmp(base.bytes.data(), a.bytes.data(), static_cast<size_t>(full)) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (base.bytes[static_cast<size_t>(full)] & mask) ==
         (a.bytes[static_cast<size_t>(full)] & mask);
}

std::optional<IpRange> ParseIpRange(std::string_view text) {
  size_t slash = text.find('/');
  auto address = ParseIpAddress(text.substr(0, slash));
  if (!address) return std::nullopt;
  IpRange r;
  r.base = *address;
  int width = address->v4 ? 32 : 128;
  int prefix = width;
  if (slash != std::string_view::npos) {
    auto bits = ParseInt(text.substr(slash + 1));
    if (!bits || *bits < 0 || *bits > width) return std::nullopt;
    prefix = static_cast<int>(*bits);
  }
  r.prefix = address->v4 ? 96 + prefix : prefix;
  // Clear the host bits so Contains compares the network only.
  for (int bit = r.prefix; bit < 128; ++bit) {
    r.base.bytes[static_cast<size_t>(bit / 8)] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  }
  return r;
}

std::optional<std::vector<IpRange>> ParseIpRangeList(std::string_view text, std::string* bad) {
  std::vector<IpRange> out;
  size_t i = 0;
  auto separator = [](char c) { return c == ',' || c == ' ' || c == '\t' || c == '\n'; };
  while (i < text.size()) {
    while (i < text.size() && separator(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !separator(text[i])) ++i;
    if (start == i) break;
    std::string_view item = text.substr(start, i - start);
    auto range = ParseIpRange(item);
    if (!range) {
      if (bad) *bad = std::string(item);
      return std::nullopt;
    }
    out.push_back(*range);
  }
  return out;
}

bool InAnyRange(const std::vector<IpRange>& ranges, const IpAddress& a) {
  for (const auto& r : ranges) {
    if (r.Contains(a)) return true;
  }
  return false;
}

}  // namespace oakgate::util
