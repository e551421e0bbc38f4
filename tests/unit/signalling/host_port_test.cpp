#include <gtest/gtest.h>

#include "net/host_port.hpp"

using namespace peercall;

namespace {

void expect_parsed(std::string_view text, const char* host, uint16_t port) {
  auto r = parse_host_port(text, 5000);
  ASSERT_TRUE(r.ok()) << text << ": " << r.error();
  EXPECT_EQ(r->host, host) << text;
  EXPECT_EQ(r->port, port) << text;
}

}  // namespace

TEST(HostPort, AcceptsNamesAddressesAndPorts) {
  expect_parsed("example.org", "example.org", 5000);
  expect_parsed("example.org:6000", "example.org", 6000);
  expect_parsed("10.0.0.2:1", "10.0.0.2", 1);
  expect_parsed("my-host_1:65535", "my-host_1", 65535);
  expect_parsed("[::1]:5001", "::1", 5001);
  expect_parsed("[::1]", "::1", 5000);
  expect_parsed("::1", "::1", 5000);
  expect_parsed("fe80::1%eth0", "fe80::1%eth0", 5000);
  expect_parsed("[::ffff:10.0.0.1]:7", "::ffff:10.0.0.1", 7);
}

TEST(HostPort, RejectsBadInput) {
  for (const char* text : {"", "host:", "host:0", "host:65536", "host:99999999", "host:-1", "host:+5", "host:5x",
                           ":5000", "[::1", "[::1]:", "[::1]x", "[]", "[host]:5", "ho st", "host/path", "a:b:c",
                           "::1:5000x", "user@host", "[::1]:5000:1"}) {
    auto r = parse_host_port(text, 5000);
    EXPECT_FALSE(r.ok()) << "accepted '" << text << "' as " << (r.ok() ? r->host : "");
    if (!r.ok()) {
      EXPECT_NE(std::string(r.error()), "");
    }
  }
}

TEST(HostPort, FormatBracketsIpv6) {
  EXPECT_EQ(format_host_port("::1", 5000), "[::1]:5000");
  EXPECT_EQ(format_host_port("10.0.0.2", 5000), "10.0.0.2:5000");
  EXPECT_EQ(format_host_port("example.org", 80), "example.org:80");
}
