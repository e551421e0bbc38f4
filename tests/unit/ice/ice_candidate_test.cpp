#include "net/ice/ice_candidate.hpp"

#include <gtest/gtest.h>

#include "net/ice/ice_config.hpp"

namespace peercall {
namespace {

TEST(CandidateLine, ParsesHostSrflxRelayAndBrowserExtensions) {
  auto host = parse_candidate_line("candidate:1 1 UDP 2015363327 198.18.0.1 40000 typ host");
  ASSERT_TRUE(host.ok()) << host.error();
  EXPECT_EQ(host->foundation, "1");
  EXPECT_EQ(host->component, 1u);
  EXPECT_FALSE(host->tcp);
  EXPECT_EQ(host->priority, 2015363327u);
  EXPECT_EQ(host->address, "198.18.0.1");
  EXPECT_EQ(host->port, 40000);
  EXPECT_EQ(host->type, "host");

  auto srflx = parse_candidate_line(
      "a=candidate:842163049 1 udp 1677729535 203.0.113.7 61665 typ srflx raddr 10.0.0.2 rport 61665 "
      "generation 0 network-cost 999\r");
  ASSERT_TRUE(srflx.ok()) << srflx.error();
  EXPECT_EQ(srflx->type, "srflx");
  EXPECT_EQ(srflx->related_address, "10.0.0.2");
  EXPECT_EQ(srflx->related_port, 61665);

  auto relay = parse_candidate_line("candidate:3 1 UDP 33562367 2001:db8::1 50000 typ relay raddr :: rport 9");
  ASSERT_TRUE(relay.ok()) << relay.error();
  EXPECT_EQ(relay->address, "2001:db8::1");

  auto tcp = parse_candidate_line("candidate:4 1 TCP 1518280447 192.0.2.1 9 typ host tcptype active");
  ASSERT_TRUE(tcp.ok()) << tcp.error();
  EXPECT_TRUE(tcp->tcp);
  EXPECT_EQ(tcp->tcptype, "active");
}

TEST(CandidateLine, RejectsMalformedLines) {
  const char* bad[] = {
      "",
      "candidate:",
      "candidate:1 1 UDP 2015363327 198.18.0.1 40000",            // no typ
      "candidate:1 1 UDP 2015363327 198.18.0.1 40000 typ",        // typ without value
      "candidate:1 1 UDP 2015363327 198.18.0.1 40000 type host",
      "candidate:1 0 UDP 2015363327 198.18.0.1 40000 typ host",   // component 0
      "candidate:1 1 UDP 0 198.18.0.1 40000 typ host",            // priority 0
      "candidate:1 1 UDP 99999999999 198.18.0.1 40000 typ host",  // priority > 32 bits
      "candidate:1 1 UDP -5 198.18.0.1 40000 typ host",
      "candidate:1 1 UDP 2015363327 198.18.0.1 0 typ host",
      "candidate:1 1 UDP 2015363327 198.18.0.1 65536 typ host",
      "candidate:1 1 UDP 2015363327 1234.5.6.7 40000 typ host",
      "candidate:1 1 UDP 2015363327 3f1a-uuid.local 40000 typ host",
      "candidate:1 1 TCP 2015363327 198.18.0.1 9 typ host",       // TCP without tcptype
      "candidate:1 1 TCP 2015363327 198.18.0.1 9 typ host tcptype sideways",
      "candidate:1 1 UDP 2015363327 198.18.0.1 40000 typ srflx raddr nowhere rport 1",
      "candidate:fo&und 1 UDP 2015363327 198.18.0.1 40000 typ host",
      "candidate:123456789012345678901234567890123 1 UDP 1 198.18.0.1 40000 typ host",
      "a=ice-ufrag:abcd",
  };
  for (const char* line : bad) {
    auto parsed = parse_candidate_line(line);
    EXPECT_FALSE(parsed.ok()) << "accepted: " << line;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.error().rfind("candidate: ", 0), 0u) << parsed.error();
    }
  }
}

TEST(CandidateLine, SurvivesArbitraryBytes) {
  uint32_t seed = 12345;
  for (int round = 0; round < 2000; ++round) {
    std::string line = "candidate:";
    size_t length = (seed = seed * 1103515245 + 12345) % 120;
    for (size_t i = 0; i < length; ++i) {
      seed = seed * 1103515245 + 12345;
      const char alphabet[] = "0123456789 .:abcdefhostyprelayUDPTCP\r\n\0\xff";
      line.push_back(alphabet[(seed >> 16) % (sizeof alphabet - 1)]);
    }
    (void)parse_candidate_line(line);  // must neither crash nor overrun (run under ASan)
  }
}

TEST(CandidateLine, FormatRoundTrips) {
  const std::string line = "candidate:7 1 UDP 1677729535 203.0.113.7 61665 typ srflx raddr 10.0.0.2 rport 61665";
  auto parsed = parse_candidate_line(line);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(format_candidate_line(*parsed), line);
}

TEST(CandidateLine, DescribesEndpoints) {
  EXPECT_EQ(describe_endpoint("127.0.0.1", 40000, "host"), "127.0.0.1:40000 (host)");
  EXPECT_EQ(describe_endpoint("::1", 40000, "relay"), "[::1]:40000 (relay)");
}

TEST(TurnUrl, ParsesUdpTcpAndIpv6) {
  auto udp = parse_turn_server("turn:alice:s3cr@t@turn.example.org:3479");
  ASSERT_TRUE(udp.ok()) << udp.error();
  EXPECT_EQ(udp->user, "alice");
  EXPECT_EQ(udp->password, "s3cr@t");
  EXPECT_EQ(udp->host, "turn.example.org");
  EXPECT_EQ(udp->port, 3479);
  EXPECT_FALSE(udp->tcp);

  auto tcp = parse_turn_server("turn:u:p@[::1]?transport=tcp");
  ASSERT_TRUE(tcp.ok()) << tcp.error();
  EXPECT_EQ(tcp->host, "::1");
  EXPECT_EQ(tcp->port, 3478);
  EXPECT_TRUE(tcp->tcp);

  EXPECT_FALSE(parse_turn_server("stun:u:p@host").ok());
  EXPECT_FALSE(parse_turn_server("turn:host:3478").ok());
  EXPECT_FALSE(parse_turn_server("turn::p@host").ok());
  EXPECT_FALSE(parse_turn_server("turn:u:p@host:0").ok());
  EXPECT_FALSE(parse_turn_server("turn:u:p@host:70000").ok());
  EXPECT_FALSE(parse_turn_server("turn:u:p@::1:3478").ok());
  EXPECT_FALSE(parse_turn_server("turn:u:p@host?transport=sctp").ok());
  EXPECT_FALSE(parse_turn_server("turn:u:p@").ok());
}

TEST(StunServer, ParsesHostAndPort) {
  auto plain = parse_stun_server("127.0.0.1:19302");
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_EQ(plain->first, "127.0.0.1");
  EXPECT_EQ(plain->second, 19302);
  auto scheme = parse_stun_server("stun:stun.example.org");
  ASSERT_TRUE(scheme.ok());
  EXPECT_EQ(scheme->second, 3478);
  EXPECT_FALSE(parse_stun_server(":3478").ok());
  EXPECT_FALSE(parse_stun_server("host:").ok());
}

}  // namespace
}  // namespace peercall
