// Two DtlsEndpoints joined by an in-memory link on a virtual clock: every
// datagram passes through a filter the test controls, and time only moves when
// the test moves it (far from the real clock, to prove nothing reads it).
#include "security/dtls_endpoint.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace peercall {
namespace {

using Filter = std::function<bool(const Bytes&)>;  // true: deliver

const std::shared_ptr<const Identity>& identity_a() {
  static auto id = *Identity::generate("alice");
  return id;
}
const std::shared_ptr<const Identity>& identity_b() {
  static auto id = *Identity::generate("bob");
  return id;
}

// The handshake message type of a plaintext handshake record, or -1.
int handshake_type(const Bytes& d) {
  if (d.size() < 14 || d[0] != 22 || d[3] != 0 || d[4] != 0) return -1;  // epoch 0 only
  return d[13];
}
bool is_client_hello(const Bytes& d) { return handshake_type(d) == 1; }
bool is_change_cipher_spec(const Bytes& d) { return !d.empty() && d[0] == 20; }

struct Link {
  explicit Link(DtlsConfig client_config = {}, DtlsConfig server_config = {}) {
    client_config.role = DtlsRole::kClient;
    server_config.role = DtlsRole::kServer;
    if (!client_config.identity) client_config.identity = identity_a();
    if (!server_config.identity) server_config.identity = identity_b();
    if (!client_config.expected_remote) client_config.expected_remote = identity_b()->fingerprint();
    if (!server_config.expected_remote) server_config.expected_remote = identity_a()->fingerprint();
    auto c = DtlsEndpoint::create(client_config, now);
    auto s = DtlsEndpoint::create(server_config, now);
    EXPECT_TRUE(c) << c.error();
    EXPECT_TRUE(s) << s.error();
    client = std::move(*c);
    server = std::move(*s);
    mtu = std::min(client_config.mtu, server_config.mtu);
  }

  // Moves datagrams both ways until both are quiet; returns how many were sent.
  int shuttle(const Filter& to_server = nullptr, const Filter& to_client = nullptr) {
    int moved = 0;
    for (bool again = true; again;) {
      again = false;
      while (auto d = client->poll_datagram()) {
        EXPECT_LE(d->size(), mtu);
        ++moved, again = true;
        if (!to_server || to_server(*d)) server->handle_datagram(*d, now);
      }
      while (auto d = server->poll_datagram()) {
        EXPECT_LE(d->size(), mtu);
        ++moved, again = true;
        if (!to_client || to_client(*d)) client->handle_datagram(*d, now);
      }
    }
    return moved;
  }

  bool both(DtlsState s) const { return client->state() == s && server->state() == s; }

  // Runs the handshake, advancing the virtual clock to the earliest deadline
  // whenever the link is quiet.
  void run(const Filter& to_server = nullptr, const Filter& to_client = nullptr) {
    client->start(now);
    server->start(now);
    for (int step = 0; step < 100; ++step) {
      shuttle(to_server, to_client);
      if (both(DtlsState::kConnected)) return;
      if (client->state() != DtlsState::kConnecting && server->state() != DtlsState::kConnecting) return;
      auto a = client->next_timeout(), b = server->next_timeout();
      if (!a && !b) return;
      now = std::max(now, std::min(a.value_or(Instant::max()), b.value_or(Instant::max())));
      client->handle_timeout(now);
      server->handle_timeout(now);
    }
  }

  // Twenty years from the clock's epoch: nowhere near what OpenSSL reads.
  Instant now = Instant(std::chrono::hours(24 * 365 * 20));
  size_t mtu = 1200;
  std::unique_ptr<DtlsEndpoint> client, server;
};

void expect_keys_cross_match(const Link& link, SrtpProfile profile) {
  auto c = link.client->srtp_keys();
  auto s = link.server->srtp_keys();
  ASSERT_TRUE(c && s);
  EXPECT_EQ(c->profile, profile);
  EXPECT_EQ(s->profile, profile);
  size_t size = profile == SrtpProfile::kAeadAes128Gcm ? 16 + 12 : 16 + 14;
  EXPECT_EQ(c->local.size(), size);
  EXPECT_EQ(c->remote.size(), size);
  EXPECT_EQ(c->local, s->remote);
  EXPECT_EQ(c->remote, s->local);
  EXPECT_NE(c->local, c->remote);
}

TEST(DtlsEndpoint, HandshakeConnectsWithGcmByDefault) {
  Link link;
  link.run();
  ASSERT_TRUE(link.both(DtlsState::kConnected)) << link.client->error() << " / " << link.server->error();
  expect_keys_cross_match(link, SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(*link.client->remote_fingerprint(), identity_b()->fingerprint());
  EXPECT_EQ(*link.server->remote_fingerprint(), identity_a()->fingerprint());
  EXPECT_FALSE(link.client->next_timeout());
  EXPECT_FALSE(link.server->next_timeout());
  EXPECT_EQ(link.client->stats().retransmits, 0u);
  EXPECT_EQ(link.server->stats().retransmits, 0u);
  EXPECT_GT(link.client->stats().records_out, 0u);
  EXPECT_EQ(link.client->stats().records_out, link.server->stats().records_in);
  EXPECT_TRUE(link.client->error().empty());
}

TEST(DtlsEndpoint, ServerPreferenceChoosesTheProfile) {
  DtlsConfig client, server;
  client.profiles = {SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAes128CmSha1_80};
  server.profiles = {SrtpProfile::kAes128CmSha1_80, SrtpProfile::kAeadAes128Gcm};
  Link link(client, server);
  link.run();
  ASSERT_TRUE(link.both(DtlsState::kConnected)) << link.client->error();
  expect_keys_cross_match(link, SrtpProfile::kAes128CmSha1_80);
}

TEST(DtlsEndpoint, ClientOfferingOnlyAesCmGetsAesCm) {
  DtlsConfig client;
  client.profiles = {SrtpProfile::kAes128CmSha1_80};
  Link link(client, {});
  link.run();
  ASSERT_TRUE(link.both(DtlsState::kConnected)) << link.client->error();
  expect_keys_cross_match(link, SrtpProfile::kAes128CmSha1_80);
}

TEST(DtlsEndpoint, NoCommonProfileFailsBothWithALine) {
  DtlsConfig client, server;
  client.profiles = {SrtpProfile::kAeadAes128Gcm};
  server.profiles = {SrtpProfile::kAes128CmSha1_80};
  Link link(client, server);
  link.run();
  EXPECT_EQ(link.client->state(), DtlsState::kFailed);
  EXPECT_NE(link.client->error().find("SRTP profile"), std::string::npos) << link.client->error();
  EXPECT_NE(link.server->state(), DtlsState::kConnected);
  EXPECT_FALSE(link.client->srtp_keys());
  EXPECT_FALSE(link.server->srtp_keys());
}

TEST(DtlsEndpoint, LostClientHelloIsResentOnlyAtTheDeadline) {
  Link link;
  Instant t0 = link.now;
  link.client->start(t0);
  auto hello = link.client->poll_datagram();
  ASSERT_TRUE(hello && is_client_hello(*hello));  // lost
  EXPECT_FALSE(link.client->poll_datagram());
  ASSERT_EQ(link.client->next_timeout(), t0 + milliseconds(250));

  link.now = t0 + milliseconds(249);
  link.client->handle_timeout(link.now);
  EXPECT_FALSE(link.client->poll_datagram()) << "retransmitted before the deadline";
  EXPECT_EQ(link.client->stats().retransmits, 0u);

  link.now = t0 + milliseconds(250);
  link.client->handle_timeout(link.now);
  EXPECT_EQ(link.client->stats().retransmits, 1u);
  auto again = link.client->poll_datagram();
  ASSERT_TRUE(again && is_client_hello(*again));
  EXPECT_EQ(link.client->next_timeout(), link.now + milliseconds(500));  // doubled
  link.server->handle_datagram(*again, link.now);
  link.run();
  ASSERT_TRUE(link.both(DtlsState::kConnected)) << link.client->error() << " / " << link.server->error();
  expect_keys_cross_match(link, SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(link.client->stats().retransmits, 1u);
}

TEST(DtlsEndpoint, LostServerFlightIsResentOnlyAtTheDeadline) {
  Link link;
  Instant t0 = link.now;
  link.client->start(t0);
  link.server->start(t0);
  int dropped = 0;
  auto drop_server = [&](const Bytes&) { ++dropped; return false; };
  link.shuttle(nullptr, drop_server);  // ClientHello arrives, the whole answer is lost
  ASSERT_GE(dropped, 1);
  ASSERT_EQ(link.server->next_timeout(), t0 + milliseconds(250));

  link.now = t0 + milliseconds(249);
  link.client->handle_timeout(link.now);
  link.server->handle_timeout(link.now);
  EXPECT_FALSE(link.server->poll_datagram());
  EXPECT_FALSE(link.client->poll_datagram());

  link.now = t0 + milliseconds(250);
  link.server->handle_timeout(link.now);
  EXPECT_EQ(link.server->stats().retransmits, 1u);
  int resent = link.shuttle();
  EXPECT_GE(resent, dropped);
  ASSERT_TRUE(link.both(DtlsState::kConnected)) << link.client->error() << " / " << link.server->error();
  expect_keys_cross_match(link, SrtpProfile::kAeadAes128Gcm);
}

TEST(DtlsEndpoint, LostFinalFlightIsRecoveredByTheClientsRetransmission) {
  Link link;
  // Drop the server's ChangeCipherSpec and everything after it, once.
  bool dropping = false, dropped_once = false;
  auto to_client = [&](const Bytes& d) {
    if (!dropped_once && is_change_cipher_spec(d)) dropping = true;
    if (dropping) return false;
    return true;
  };
  link.client->start(link.now);
  link.shuttle(nullptr, to_client);
  dropping = false, dropped_once = true;
  EXPECT_EQ(link.server->state(), DtlsState::kConnected);
  EXPECT_EQ(link.client->state(), DtlsState::kConnecting);
  link.run();
  ASSERT_TRUE(link.both(DtlsState::kConnected)) << link.client->error() << " / " << link.server->error();
  EXPECT_GE(link.client->stats().retransmits, 1u);
  expect_keys_cross_match(link, SrtpProfile::kAeadAes128Gcm);
}

TEST(DtlsEndpoint, WrongFingerprintFailsWithBothFingerprintsAndNoKeys) {
  auto stranger = *Identity::generate("mallory");
  DtlsConfig client;
  client.expected_remote = stranger->fingerprint();
  Link link(client, {});
  link.run();
  EXPECT_EQ(link.client->state(), DtlsState::kFailed);
  EXPECT_FALSE(link.client->srtp_keys());
  const std::string& e = link.client->error();
  EXPECT_NE(e.find(identity_b()->fingerprint().to_string()), std::string::npos) << e;
  EXPECT_NE(e.find(stranger->fingerprint().to_string()), std::string::npos) << e;
  EXPECT_NE(e.find("was expected"), std::string::npos) << e;
  // The server is told (close_notify) rather than left believing in a call.
  link.shuttle();
  EXPECT_EQ(link.server->state(), DtlsState::kClosed);
}

TEST(DtlsEndpoint, WaitsForTheExpectedFingerprintBeforeConnecting) {
  Link link;
  auto late = DtlsEndpoint::create({DtlsRole::kClient, identity_a(), std::nullopt}, link.now);
  ASSERT_TRUE(late);
  link.client = std::move(*late);
  link.client->start(link.now);
  link.shuttle();  // the handshake itself completes, on no clock at all
  EXPECT_EQ(link.server->state(), DtlsState::kConnected);
  EXPECT_EQ(link.client->state(), DtlsState::kConnecting);
  EXPECT_FALSE(link.client->srtp_keys());
  ASSERT_TRUE(link.client->remote_fingerprint());
  EXPECT_EQ(*link.client->remote_fingerprint(), identity_b()->fingerprint());
  link.client->set_expected_remote(identity_b()->fingerprint());
  EXPECT_EQ(link.client->state(), DtlsState::kConnected);
  expect_keys_cross_match(link, SrtpProfile::kAeadAes128Gcm);
}

TEST(DtlsEndpoint, MissingFingerprintFailsAtTheDeadline) {
  Link link;
  link.client = std::move(*DtlsEndpoint::create({DtlsRole::kClient, identity_a(), std::nullopt}, link.now));
  Instant t0 = link.now;
  link.run();
  EXPECT_EQ(link.client->state(), DtlsState::kFailed);
  EXPECT_EQ(link.now, t0 + seconds(10));
  EXPECT_NE(link.client->error().find("fingerprint"), std::string::npos) << link.client->error();
  EXPECT_FALSE(link.client->srtp_keys());
}

TEST(DtlsEndpoint, StalledPeerFailsAfterTheHandshakeTimeout) {
  Link link;
  Instant t0 = link.now;
  link.client->start(t0);
  std::vector<Instant> resent_at;
  while (link.client->state() == DtlsState::kConnecting) {
    while (link.client->poll_datagram()) {}
    auto next = link.client->next_timeout();
    ASSERT_TRUE(next);
    ASSERT_LE(*next, t0 + seconds(10));
    if (*next == t0 + seconds(10)) {  // just before: still trying
      link.client->handle_timeout(*next - milliseconds(1));
      EXPECT_EQ(link.client->state(), DtlsState::kConnecting);
    }
    uint64_t before = link.client->stats().retransmits;
    link.now = *next;
    link.client->handle_timeout(link.now);
    if (link.client->stats().retransmits > before) resent_at.push_back(link.now);
  }
  EXPECT_EQ(link.client->state(), DtlsState::kFailed);
  EXPECT_EQ(link.now, t0 + seconds(10));
  EXPECT_EQ(link.client->error(), "DTLS handshake did not finish within 10 s");
  // 250 ms doubling to a 3 s cap: at 0.25, 0.75, 1.75, 3.75, 6.75, 9.75 s.
  std::vector<Instant> expected;
  for (int ms : {250, 750, 1750, 3750, 6750, 9750}) expected.push_back(t0 + milliseconds(ms));
  EXPECT_EQ(resent_at, expected);
  EXPECT_FALSE(link.client->next_timeout());
}

TEST(DtlsEndpoint, GarbageIsCountedAndTheHandshakeStillCompletes) {
  Link link;
  const std::vector<Bytes> garbage = {
      {},
      {0x00},
      {0x80, 0x60, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8},                // RTP-like
      {22, 0xFE, 0xFD},                                                 // cut header
      {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xF4, 1, 2, 3},   // length past the end
      {30, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0},               // unknown content type
      {22, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0},               // TLS, not DTLS
  };
  auto spray = [&](DtlsEndpoint& e) {
    for (const auto& g : garbage) e.handle_datagram(g, link.now);
  };
  link.client->start(link.now);
  link.server->start(link.now);
  spray(*link.client);
  spray(*link.server);
  link.shuttle([&](const Bytes&) { spray(*link.server); return true; },
               [&](const Bytes&) { spray(*link.client); return true; });
  ASSERT_TRUE(link.both(DtlsState::kConnected)) << link.client->error() << " / " << link.server->error();
  EXPECT_GE(link.client->stats().malformed_dropped, 2 * garbage.size());
  EXPECT_GE(link.server->stats().malformed_dropped, 2 * garbage.size());
  EXPECT_EQ(link.client->stats().malformed_dropped % garbage.size(), 0u);
  EXPECT_EQ(link.client->stats().retransmits, 0u);
}

TEST(DtlsEndpoint, FatalAlertFromThePeerFailsWithALine) {
  Link link;
  link.client->start(link.now);
  while (link.client->poll_datagram()) {}
  // A plaintext handshake_failure alert (epoch 0), as a server refusing us sends.
  Bytes alert = {21, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 40};
  link.client->handle_datagram(alert, link.now);
  EXPECT_EQ(link.client->state(), DtlsState::kFailed);
  EXPECT_NE(link.client->error().find("fatal alert"), std::string::npos) << link.client->error();
  EXPECT_NE(link.client->error().find("handshake failure"), std::string::npos) << link.client->error();
  EXPECT_FALSE(link.client->next_timeout());
}

TEST(DtlsEndpoint, CloseNotifyClosesThePeer) {
  Link link;
  link.run();
  ASSERT_TRUE(link.both(DtlsState::kConnected));
  link.client->close(link.now);
  EXPECT_EQ(link.client->state(), DtlsState::kClosed);
  link.shuttle();
  EXPECT_EQ(link.server->state(), DtlsState::kClosed);
  EXPECT_NE(link.server->error().find("closed"), std::string::npos);
  EXPECT_FALSE(link.server->srtp_keys());
}

TEST(DtlsEndpoint, ApplicationDataRoundTrip) {
  Link link;
  link.run();
  ASSERT_TRUE(link.both(DtlsState::kConnected));
  Bytes hello = {'h', 'e', 'l', 'l', 'o'};
  ASSERT_TRUE(link.client->send_application_data(hello, link.now));
  link.shuttle();
  auto got = link.server->poll_application_data();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, hello);
  EXPECT_FALSE(link.server->poll_application_data());

  Bytes big(link.server->max_application_data(), 0xAB);
  ASSERT_GT(big.size(), 1000u);
  ASSERT_TRUE(link.server->send_application_data(big, link.now));
  link.shuttle();
  got = link.client->poll_application_data();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, big);

  big.push_back(0);
  auto too_big = link.server->send_application_data(big, link.now);
  EXPECT_FALSE(too_big);
  EXPECT_NE(too_big.error().find("do not fit"), std::string::npos) << too_big.error();
}

TEST(DtlsEndpoint, SendingBeforeConnectedIsRefused) {
  Link link;
  link.client->start(link.now);
  Bytes data = {1, 2, 3};
  EXPECT_FALSE(link.client->send_application_data(data, link.now));
}

TEST(DtlsEndpoint, SmallMtuFragmentsTheHandshake) {
  DtlsConfig client, server;
  client.mtu = server.mtu = 300;
  Link link(client, server);
  link.run();
  ASSERT_TRUE(link.both(DtlsState::kConnected)) << link.client->error() << " / " << link.server->error();
  expect_keys_cross_match(link, SrtpProfile::kAeadAes128Gcm);
}

TEST(DtlsEndpoint, CreateRejectsBadConfig) {
  Instant now{};
  EXPECT_FALSE(DtlsEndpoint::create({DtlsRole::kClient, nullptr}, now));
  DtlsConfig tiny{DtlsRole::kClient, identity_a()};
  tiny.mtu = 100;
  EXPECT_FALSE(DtlsEndpoint::create(tiny, now));
}

}  // namespace
}  // namespace peercall
