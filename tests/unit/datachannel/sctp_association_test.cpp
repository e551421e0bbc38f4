// Two SctpAssociations in one process, wired through memory on a virtual clock.
#include "datachannel/sctp_association.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "memory_link.hpp"

namespace peercall {
namespace {

using test::MemoryLink;

const Instant kStart = instant_from_micros(1'000'000'000);

std::unique_ptr<SctpAssociation> make(DtlsRole role, SctpConfig config = {}) {
  config.role = role;
  auto a = SctpAssociation::create(config, kStart);
  EXPECT_TRUE(a.ok()) << a.error();
  return std::move(*a);
}

std::vector<SctpEvent> drain(SctpAssociation& a) {
  std::vector<SctpEvent> out;
  while (auto e = a.poll_event()) out.push_back(std::move(*e));
  return out;
}

std::vector<sctp_event::Message> messages(std::vector<SctpEvent> events) {
  std::vector<sctp_event::Message> out;
  for (auto& e : events)
    if (auto* m = std::get_if<sctp_event::Message>(&e)) out.push_back(std::move(*m));
  return out;
}

Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

struct Pair : ::testing::Test {
  std::unique_ptr<SctpAssociation> client = make(DtlsRole::kClient);
  std::unique_ptr<SctpAssociation> server = make(DtlsRole::kServer);
  MemoryLink<SctpAssociation> link{*client, *server, kStart};

  void connect() {
    client->start(link.now());
    server->start(link.now());
    ASSERT_TRUE(link.run_until([&] {
      return client->state() == SctpState::kConnected && server->state() == SctpState::kConnected;
    })) << to_string(client->state()) << " / " << to_string(server->state());
  }
};

TEST_F(Pair, BothSidesConnectAndReportIt) {
  connect();
  auto events = drain(*client);
  ASSERT_FALSE(events.empty());
  auto* up = std::get_if<sctp_event::Connected>(&events.front());
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->outbound_streams, 1024);
  EXPECT_EQ(up->inbound_streams, 1024);
  EXPECT_TRUE(std::holds_alternative<sctp_event::Connected>(drain(*server).front()));
}

TEST_F(Pair, OnlyOneSideStartingStillConnects) {
  client->start(link.now());  // the server starts on the INIT it receives
  ASSERT_TRUE(link.run_until([&] { return server->state() == SctpState::kConnected; }));
  EXPECT_EQ(client->state(), SctpState::kConnected);
}

TEST_F(Pair, MessagesArriveInOrderWithStreamAndPpid) {
  connect();
  drain(*client);
  drain(*server);
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(client->send(uint16_t(i % 3), 51, text("m" + std::to_string(i)), {}, link.now()));
  ASSERT_TRUE(server->send(7, 53, text("back"), {}, link.now()));
  link.deliver();
  auto got = messages(drain(*server));
  ASSERT_EQ(got.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(got[i].data, text("m" + std::to_string(i)));
    EXPECT_EQ(got[i].stream, i % 3);
    EXPECT_EQ(got[i].ppid, 51u);
  }
  auto back = messages(drain(*client));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].stream, 7);
  EXPECT_EQ(back[0].ppid, 53u);
}

TEST_F(Pair, SendBeforeConnectedWaitsInOrder) {
  ASSERT_TRUE(client->send(0, 51, text("early"), {}, link.now()));
  EXPECT_GT(client->queued_bytes(), 0u);
  connect();
  link.deliver();
  auto got = messages(drain(*server));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, text("early"));
  EXPECT_EQ(client->queued_bytes(), 0u);
}

TEST_F(Pair, PacketsFitTheConfiguredMtu) {
  connect();
  Bytes big(200 * 1024, 0x5a);
  ASSERT_TRUE(client->send(0, 53, big, {}, link.now()));
  ASSERT_TRUE(link.run_until([&] { return server->stats().messages_in == 1; }));
  EXPECT_LE(link.largest_packet(), client->config().mtu);
  EXPECT_GE(link.largest_packet(), client->config().mtu - 64);  // and use it
  auto got = messages(drain(*server));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, big);
}

TEST_F(Pair, MaxSizeMessageGoesOverMaxIsRefused) {
  connect();
  Bytes max(client->config().remote_max_message_size, 0x11);
  ASSERT_TRUE(client->send(1, 53, max, {}, link.now()));
  Bytes over(max.size() + 1, 0x22);
  auto refused = client->send(1, 53, over, {}, link.now());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("max-message-size"), std::string::npos) << refused.error();
  ASSERT_TRUE(link.run_until([&] { return server->stats().messages_in == 1; }));
  auto got = messages(drain(*server));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data.size(), max.size());
}

TEST_F(Pair, EmptyMessageIsRefused) {
  connect();
  EXPECT_FALSE(client->send(0, 51, {}, {}, link.now()).ok());
}

TEST_F(Pair, RetransmitsOnTheDrivenTimersWhenPacketsAreLost) {
  connect();
  drain(*server);
  link.drop_every(5);
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(client->send(0, 51, text("lossy " + std::to_string(i)), {}, link.now()));
  std::vector<sctp_event::Message> got;
  ASSERT_TRUE(link.run_until([&] {
    for (auto& m : messages(drain(*server))) got.push_back(std::move(m));
    return got.size() == 50;
  }));
  EXPECT_GT(link.dropped(), 0u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(got[i].data, text("lossy " + std::to_string(i)));
}

TEST_F(Pair, StreamResetIsSeenOnBothSides) {
  connect();
  drain(*client);
  drain(*server);
  ASSERT_TRUE(client->send(4, 51, text("last words"), {}, link.now()));
  ASSERT_TRUE(client->reset_stream(4, link.now()));
  link.run_until([] { return false; }, milliseconds(200));
  auto at_server = drain(*server);
  ASSERT_GE(at_server.size(), 2u);
  auto* m = std::get_if<sctp_event::Message>(&at_server[0]);
  ASSERT_NE(m, nullptr);  // the data first, then the reset
  EXPECT_EQ(m->data, text("last words"));
  auto* reset = std::get_if<sctp_event::StreamReset>(&at_server[1]);
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->stream, 4);
  EXPECT_TRUE(reset->incoming);
  bool client_saw_done = false;
  for (auto& e : drain(*client))
    if (auto* r = std::get_if<sctp_event::StreamReset>(&e))
      client_saw_done |= r->stream == 4 && !r->incoming;
  EXPECT_TRUE(client_saw_done);
}

TEST_F(Pair, AbortIsFailureOnTheOtherSide) {
  connect();
  client->close(link.now());
  EXPECT_EQ(client->state(), SctpState::kClosed);
  link.deliver();
  EXPECT_EQ(server->state(), SctpState::kFailed) << to_string(server->state());
  EXPECT_FALSE(server->error().empty());
  EXPECT_FALSE(client->send(0, 51, text("x"), {}, link.now()).ok());
}

TEST_F(Pair, SilentPeerFailsOnTimers) {
  connect();
  ASSERT_TRUE(client->send(0, 51, text("hello?"), {}, link.now()));
  // Nothing reaches the server any more: the client retransmits, gives up.
  link.drop_every(1);
  ASSERT_TRUE(link.run_until([&] { return client->state() == SctpState::kFailed; }, seconds(300)));
}

TEST(SctpAssociationConfig, RejectsNonsense) {
  SctpConfig config;
  config.mtu = 100;
  EXPECT_FALSE(SctpAssociation::create(config, kStart).ok());
}

TEST(SctpAssociationConfig, ManyAssociationsComeAndGo) {
  for (int round = 0; round < 3; ++round) {
    auto a = make(DtlsRole::kClient);
    auto b = make(DtlsRole::kServer);
    MemoryLink<SctpAssociation> link(*a, *b, kStart + seconds(round));
    a->start(link.now());
    b->start(link.now());
    ASSERT_TRUE(link.run_until([&] { return b->state() == SctpState::kConnected; }));
  }
  // The last one gone, usrsctp was finished (and initialised again each round).
  EXPECT_EQ(UsrsctpLibrary::stats().users, 0);
}

}  // namespace
}  // namespace peercall
