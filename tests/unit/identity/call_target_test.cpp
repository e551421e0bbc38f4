#include "identity/call_target.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

constexpr uint16_t kDefault = 5004;
const std::string kCode = "abcdefghijklmnopqrstuvwx";

CallTarget parsed(std::string_view text) {
  Result<CallTarget> r = parse_call_target(text, kDefault);
  EXPECT_TRUE(r) << text << ": " << r.error();
  return r ? *r : CallTarget{};
}

void expect_target(std::string_view text, std::string_view host, uint16_t port, std::string_view code) {
  CallTarget t = parsed(text);
  EXPECT_EQ(t.host, host) << text;
  EXPECT_EQ(t.port, port) << text;
  EXPECT_EQ(t.code, code) << text;
}

std::string error_of(std::string_view text) {
  Result<CallTarget> r = parse_call_target(text, kDefault);
  EXPECT_FALSE(r) << text << " parsed as host '" << (r ? r->host : "") << "'";
  EXPECT_EQ(r.error().find('\n'), std::string::npos) << r.error();
  return r.error();
}

TEST(ParseCallTarget, HostAlone) {
  expect_target("example.org", "example.org", kDefault, "");
  expect_target("192.168.1.20", "192.168.1.20", kDefault, "");
  expect_target("my_box-2.local", "my_box-2.local", kDefault, "");
}

TEST(ParseCallTarget, HostAndPort) {
  expect_target("example.org:6000", "example.org", 6000, "");
  expect_target("10.0.0.1:1", "10.0.0.1", 1, "");
  expect_target("10.0.0.1:65535", "10.0.0.1", 65535, "");
}

TEST(ParseCallTarget, HostPortAndCode) {
  expect_target("example.org:6000/" + kCode, "example.org", 6000, kCode);
  expect_target("example.org/" + kCode, "example.org", kDefault, kCode);
  expect_target("example.org/", "example.org", kDefault, "");  // an empty code is no code
}

TEST(ParseCallTarget, Ipv6) {
  expect_target("[::1]:6000/" + kCode, "::1", 6000, kCode);
  expect_target("[::1]:6000", "::1", 6000, "");
  expect_target("[2001:db8::5]", "2001:db8::5", kDefault, "");
  expect_target("[2001:db8::5]/" + kCode, "2001:db8::5", kDefault, kCode);
  expect_target("::1", "::1", kDefault, "");  // bare: no port possible
  expect_target("2001:db8::5/" + kCode, "2001:db8::5", kDefault, kCode);
  expect_target("[fe80::1%eth0]:6000", "fe80::1%eth0", 6000, "");
  expect_target("[::ffff:10.0.0.1]:7", "::ffff:10.0.0.1", 7, "");
}

TEST(ParseCallTarget, PeercallUrl) {
  expect_target("peercall://example.org:6000/" + kCode, "example.org", 6000, kCode);
  expect_target("peercall://example.org/" + kCode, "example.org", kDefault, kCode);
  expect_target("PeerCall://[::1]:6000/" + kCode, "::1", 6000, kCode);
  expect_target("peercall://example.org", "example.org", kDefault, "");
}

TEST(ParseCallTarget, BrowserLink) {
  expect_target("https://example.org:5004/call#" + kCode, "example.org", 5004, kCode);
  expect_target("https://[::1]:6000/call#" + kCode, "::1", 6000, kCode);
  expect_target("HTTPS://example.org:6000/call/#" + kCode, "example.org", 6000, kCode);
  expect_target("https://example.org:6000/call", "example.org", 6000, "");
  // Without a port, the browser goes to 443, so does the caller.
  expect_target("https://example.org/call#" + kCode, "example.org", 443, kCode);
  expect_target("https://[fe80::1%25eth0]:6000/call", "fe80::1%eth0", 6000, "");
}

TEST(ParseCallTarget, SurroundingBlanksFromAPasteAreIgnored) {
  expect_target("  example.org:6000/" + kCode + "\n", "example.org", 6000, kCode);
  expect_target("\thttps://example.org:6000/call#" + kCode + " ", "example.org", 6000, kCode);
}

TEST(ParseCallTarget, PortOutOfRange) {
  EXPECT_EQ(error_of("foo:70000"), "'foo:70000' is not HOST[:PORT][/CODE]: port must be 1-65535");
  EXPECT_EQ(error_of("foo:0"), "'foo:0' is not HOST[:PORT][/CODE]: port must be 1-65535");
  EXPECT_EQ(error_of("foo:123456"), "'foo:123456' is not HOST[:PORT][/CODE]: port must be 1-65535");
  EXPECT_EQ(error_of("foo:-1"), "'foo:-1' is not HOST[:PORT][/CODE]: port must be 1-65535");
  EXPECT_EQ(error_of("foo:http"), "'foo:http' is not HOST[:PORT][/CODE]: port must be 1-65535");
  EXPECT_EQ(error_of("[::1]:99999"), "'[::1]:99999' is not HOST[:PORT][/CODE]: port must be 1-65535");
  EXPECT_EQ(error_of("foo:"), "'foo:' is not HOST[:PORT][/CODE]: missing port after ':'");
}

TEST(ParseCallTarget, BadHosts) {
  EXPECT_EQ(error_of(""), "'' is not HOST[:PORT][/CODE]: empty");
  EXPECT_EQ(error_of("   "), "'' is not HOST[:PORT][/CODE]: empty");
  EXPECT_EQ(error_of(":5004"), "':5004' is not HOST[:PORT][/CODE]: missing host before ':'");
  EXPECT_EQ(error_of("/" + kCode), "'/" + kCode + "' is not HOST[:PORT][/CODE]: missing host");
  EXPECT_EQ(error_of("user@host"), "'user@host' is not HOST[:PORT][/CODE]: bad character '@' in host");
  EXPECT_EQ(error_of("host#" + kCode), "'host#" + kCode + "' is not HOST[:PORT][/CODE]: bad character '#' in host");
  EXPECT_NE(error_of(std::string(254, 'a')).find("longer than 253"), std::string::npos);
  EXPECT_EQ(error_of("[::1"), "'[::1' is not HOST[:PORT][/CODE]: missing ']' after the IPv6 address");
  EXPECT_EQ(error_of("[nothost]:5"), "'[nothost]:5' is not HOST[:PORT][/CODE]: 'nothost' in brackets is not an IPv6 address");
  EXPECT_EQ(error_of("[::1]5004"), "'[::1]5004' is not HOST[:PORT][/CODE]: expected ':PORT' after ']'");
  EXPECT_EQ(error_of("1:2:3"), "'1:2:3' is not HOST[:PORT][/CODE]: bad IPv6 address (write [ADDRESS]:PORT to add a port)");
  EXPECT_EQ(error_of("::1:5004:"), "'::1:5004:' is not HOST[:PORT][/CODE]: bad IPv6 address (write [ADDRESS]:PORT to add a port)");
}

TEST(ParseCallTarget, BadCodes) {
  std::string e = error_of("host:6000/short");
  EXPECT_EQ(e.rfind("'host:6000/short' is not HOST[:PORT][/CODE]: an invitation code is 16-128 characters", 0), 0u) << e;
  EXPECT_NE(error_of("host/" + kCode + "/more").find("cannot contain '/'"), std::string::npos);
  EXPECT_NE(error_of("https://host:1/call#bad code with spaces").find("16-128 characters"), std::string::npos);
}

TEST(ParseCallTarget, BadUrls) {
  EXPECT_EQ(error_of("ftp://host/x"), "'ftp://host/x' is not HOST[:PORT][/CODE]: unknown scheme 'ftp://' (use peercall:// or https://)");
  EXPECT_EQ(error_of("http://host:5004/call#" + kCode).rfind("'http://host:5004/call#", 0), 0u);
  EXPECT_EQ(error_of("https://host:5004/#" + kCode),
            "'https://host:5004/#" + kCode + "' is not https://HOST[:PORT]/call#CODE: the link's path must be /call");
  EXPECT_NE(error_of("https://host:5004/call?x=1#" + kCode).find("unexpected '?'"), std::string::npos);
  EXPECT_NE(error_of("https://host:5004").find("path must be /call"), std::string::npos);
  EXPECT_EQ(error_of("peercall://host:99999/"), "'peercall://host:99999/' is not peercall://HOST[:PORT][/CODE]: port must be 1-65535");
  EXPECT_NE(error_of("peercall://").find("missing host"), std::string::npos);
  EXPECT_NE(error_of("https://user@host:1/call").find("bad character '@'"), std::string::npos);
}

TEST(ParseCallTarget, ControlCharactersAreNotEchoed) {
  std::string e = error_of("ho\x1b[2Jst:1");
  EXPECT_EQ(e.find('\x1b'), std::string::npos) << e;
}

TEST(FormatCallTarget, LeavesOutTheDefaultPortAndBracketsIpv6) {
  EXPECT_EQ(format_call_target("example.org", kDefault, kCode, kDefault), "example.org/" + kCode);
  EXPECT_EQ(format_call_target("example.org", 6000, kCode, kDefault), "example.org:6000/" + kCode);
  EXPECT_EQ(format_call_target("example.org", 6000, "", kDefault), "example.org:6000");
  EXPECT_EQ(format_call_target("::1", 6000, kCode, kDefault), "[::1]:6000/" + kCode);
  EXPECT_EQ(format_call_target("::1", kDefault, "", kDefault), "[::1]");
  EXPECT_EQ(format_call_target("192.168.1.20", kDefault, "", kDefault), "192.168.1.20");
}

TEST(FormatCallTarget, RoundTripsThroughTheParser) {
  for (std::string host : {"example.org", "10.1.2.3", "::1", "2001:db8::7", "fe80::1%eth0"}) {
    for (uint16_t port : {uint16_t(kDefault), uint16_t(1), uint16_t(65535)}) {
      for (std::string code : {std::string(), kCode}) {
        std::string text = format_call_target(host, port, code, kDefault);
        expect_target(text, host, port, code);
        std::string link = format_browser_link(host, port, code);
        expect_target(link, host, port, code);
      }
    }
  }
}

TEST(FormatBrowserLink, Shape) {
  EXPECT_EQ(format_browser_link("example.org", 5004, kCode), "https://example.org:5004/call#" + kCode);
  EXPECT_EQ(format_browser_link("::1", 5004, ""), "https://[::1]:5004/call");
  EXPECT_EQ(format_browser_link("example.org", 443, kCode), "https://example.org/call#" + kCode);
  EXPECT_EQ(format_browser_link("fe80::1%eth0", 6000, ""), "https://[fe80::1%25eth0]:6000/call");
}

}  // namespace
}  // namespace peercall
