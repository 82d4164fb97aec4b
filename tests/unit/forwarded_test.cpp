// X-Forwarded-For is believed only from trusted proxies, read right to left.
#include "gateway/http/forwarded.hpp"

#include <gtest/gtest.h>

#include "gateway/util/net.hpp"

namespace oakgate::http {
namespace {

std::vector<util::IpRange> Ranges(const std::string& text) {
  auto r = util::ParseIpRangeList(text);
  EXPECT_TRUE(r.has_value()) << text;
  return r.value_or(std::vector<util::IpRange>{});
}

struct Case {
  const char* name;
  const char* peer;
  std::vector<std::string_view> xff;
  const char* trusted;
  const char* want;
};

class ResolveClientAddressTest : public ::testing::TestWithParam<Case> {};

TEST_P(ResolveClientAddressTest, Resolves) {
  const Case& c = GetParam();
  EXPECT_EQ(ResolveClientAddress(c.peer, c.xff, Ranges(c.trusted)), c.want) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ResolveClientAddressTest,
    ::testing::Values(
        Case{"no proxies configured: the header is ignored",
             "127.0.0.1",
             {"203.0.113.9"},
             "",
             "127.0.0.1"},
        Case{"an untrusted peer cannot claim another address",
             "198.51.100.7",
             {"203.0.113.9"},
             "127.0.0.1",
             "198.51.100.7"},
        Case{"trusted proxy, one hop", "127.0.0.1", {"203.0.113.9"}, "127.0.0.1", "203.0.113.9"},
        Case{"trusted proxy, no header: the proxy is the client",
             "127.0.0.1",
             {},
             "127.0.0.1",
             "127.0.0.1"},
        Case{"a spoofed left part is ignored: the rightmost untrusted hop wins",
             "127.0.0.1",
             {"6.6.6.6, 203.0.113.9"},
             "127.0.0.1",
             "203.0.113.9"},
        Case{"chains of trusted proxies are skipped",
             "127.0.0.1",
             {"6.6.6.6, 203.0.113.9, 10.1.2.3"},
             "127.0.0.1 10.0.0.0/8",
             "203.0.113.9"},
        Case{"repeated headers form one list in arrival order",
             "127.0.0.1",
             {"6.6.6.6", "203.0.113.9, 10.1.2.3"},
             "127.0.0.1,10.0.0.0/8",
             "203.0.113.9"},
        Case{"every hop trusted: the leftmost is the client",
             "127.0.0.1",
             {"10.0.0.2, 10.0.0.1"},
             "127.0.0.0/8, 10.0.0.0/8",
             "10.0.0.2"},
        Case{"garbage stops the walk at the proxy that passed it on",
             "127.0.0.1",
             {"203.0.113.9, not-an-ip"},
             "127.0.0.1",
             "127.0.0.1"},
        Case{"garbage left of the real client is never reached",
             "127.0.0.1",
             {"<script>, 203.0.113.9"},
             "127.0.0.1",
             "203.0.113.9"},
        Case{
            "ports are not addresses", "127.0.0.1", {"203.0.113.9:1234"}, "127.0.0.1", "127.0.0.1"},
        Case{"IPv6 hops, bracketed or not, come out canonical",
             "::1",
             {"[2001:DB8::0:1]"},
             "::1",
             "2001:db8::1"},
        Case{"IPv4-mapped peer matches an IPv4 range",
             "::ffff:127.0.0.1",
             {"203.0.113.9"},
             "127.0.0.1",
             "203.0.113.9"},
        Case{"empty items and spaces are tolerated",
             "127.0.0.1",
             {" , 203.0.113.9 ,"},
             "127.0.0.1",
             "203.0.113.9"},
        Case{"a CIDR that does not cover the peer",
             "127.0.0.1",
             {"203.0.113.9"},
             "10.0.0.0/8",
             "127.0.0.1"}));

TEST(IpRange, ParsesAddressesAndPrefixes) {
  auto r = util::ParseIpRange("192.168.4.0/22");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->Contains(*util::ParseIpAddress("192.168.7.255")));
  EXPECT_FALSE(r->Contains(*util::ParseIpAddress("192.168.8.0")));
  EXPECT_FALSE(r->Contains(*util::ParseIpAddress("::1")));
  auto all_v6 = util::ParseIpRange("::/0");
  ASSERT_TRUE(all_v6);
  EXPECT_TRUE(all_v6->Contains(*util::ParseIpAddress("2001:db8::5")));
  auto host_bits = util::ParseIpRange("10.9.8.7/8");
  ASSERT_TRUE(host_bits);
  EXPECT_TRUE(host_bits->Contains(*util::ParseIpAddress("10.0.0.1")));
}

TEST(IpRange, RefusesWhatIsNotAnAddressOrPrefix) {
  for (const char* bad : {"", "localhost", "10.0.0.0/33", "::1/129", "10.0.0.0/-1", "10.0.0/8",
                          "10.0.0.0/x", "1.2.3.4:80", "fe80::1%eth0"}) {
    EXPECT_FALSE(util::ParseIpRange(bad)) << bad;
  }
  std::string item;
  EXPECT_FALSE(util::ParseIpRangeList("127.0.0.1, nginx.local", &item));
  EXPECT_EQ(item, "nginx.local");
  auto empty = util::ParseIpRangeList("  ");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace oakgate::http
