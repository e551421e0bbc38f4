// Two DataChannelEndpoints (DTLS client and server roles) wired through
// memory on a virtual clock: channels opened from either side, text and
// binary both ways, limits, loss, closing.
#include "datachannel/data_channel_endpoint.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "memory_link.hpp"

namespace peercall {
namespace {

using namespace channel_event;
using test::MemoryLink;

const Instant kStart = instant_from_micros(2'000'000'000);

std::unique_ptr<DataChannelEndpoint> make(DtlsRole role) {
  SctpConfig config;
  config.role = role;
  auto e = DataChannelEndpoint::create(config, kStart);
  EXPECT_TRUE(e.ok()) << e.error();
  return std::move(*e);
}

// Collects an endpoint's events as they come.
struct Inbox {
  std::vector<DataChannelEvent> events;
  void take(DataChannelEndpoint& e) {
    while (auto ev = e.poll_event()) events.push_back(std::move(*ev));
  }
  template <class T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (auto& e : events)
      if (auto* t = std::get_if<T>(&e)) out.push_back(*t);
    return out;
  }
};

struct Endpoints : ::testing::Test {
  std::unique_ptr<DataChannelEndpoint> client = make(DtlsRole::kClient);
  std::unique_ptr<DataChannelEndpoint> server = make(DtlsRole::kServer);
  MemoryLink<DataChannelEndpoint> link{*client, *server, kStart};
  Inbox at_client, at_server;

  bool run_until(const std::function<bool()>& done, Duration limit = seconds(30)) {
    return link.run_until(
        [&] {
          at_client.take(*client);
          at_server.take(*server);
          return done();
        },
        limit);
  }
  void connect() {
    client->start(link.now());
    server->start(link.now());
    ASSERT_TRUE(run_until([&] { return client->connected() && server->connected(); }));
    EXPECT_EQ(at_client.all<Connected>().size(), 1u);
    EXPECT_EQ(at_server.all<Connected>().size(), 1u);
  }
  // Opens "peercall" from `from`; returns its id once both sides know it.
  uint16_t open_from(DataChannelEndpoint& from, Inbox& opener, Inbox& peer) {
    auto id = from.open("peercall", "chat", link.now());
    EXPECT_TRUE(id.ok()) << id.error();
    EXPECT_TRUE(run_until([&] {
      return !opener.all<ChannelOpened>().empty() && !peer.all<ChannelOpened>().empty();
    }));
    auto mine = opener.all<ChannelOpened>().back();
    auto theirs = peer.all<ChannelOpened>().back();
    EXPECT_EQ(mine.channel, *id);
    EXPECT_FALSE(mine.by_peer);
    EXPECT_EQ(theirs.channel, *id);
    EXPECT_TRUE(theirs.by_peer);
    EXPECT_EQ(theirs.label, "peercall");
    EXPECT_EQ(theirs.protocol, "chat");
    return *id;
  }
};

TEST_F(Endpoints, ClientOpensOnEvenIdsServerOnOdd) {
  connect();
  uint16_t a = open_from(*client, at_client, at_server);
  uint16_t b = open_from(*server, at_server, at_client);
  EXPECT_EQ(a % 2, 0);
  EXPECT_EQ(b % 2, 1);
  EXPECT_TRUE(client->is_open(a) && client->is_open(b));
  EXPECT_TRUE(server->is_open(a) && server->is_open(b));
  auto c = client->open("second", "", link.now());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, a + 2);
}

TEST_F(Endpoints, TextBothWaysInOrder) {
  connect();
  uint16_t id = open_from(*server, at_server, at_client);
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(client->send_text(id, "to server " + std::to_string(i), link.now()));
    ASSERT_TRUE(server->send_text(id, "to client " + std::to_string(i), link.now()));
  }
  ASSERT_TRUE(run_until([&] {
    return at_server.all<TextReceived>().size() == 30 && at_client.all<TextReceived>().size() == 30;
  }));
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(at_server.all<TextReceived>()[i].text, "to server " + std::to_string(i));
    EXPECT_EQ(at_client.all<TextReceived>()[i].text, "to client " + std::to_string(i));
    EXPECT_EQ(at_client.all<TextReceived>()[i].channel, id);
  }
}

TEST_F(Endpoints, MessagesSentBeforeTheAckArriveAfterTheOpen) {
  // Not even connected yet: OPEN and the messages wait in order.
  auto id = client->open("peercall", "", link.now());
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(client->send_text(*id, "first", link.now()));
  ASSERT_TRUE(client->send_binary(*id, Bytes{1, 2, 3}, link.now()));
  client->start(link.now());
  server->start(link.now());
  ASSERT_TRUE(run_until([&] { return !at_server.all<BinaryReceived>().empty(); }));
  ASSERT_EQ(at_server.all<ChannelOpened>().size(), 1u);
  ASSERT_EQ(at_server.all<TextReceived>().size(), 1u);
  EXPECT_EQ(at_server.all<TextReceived>()[0].text, "first");
  EXPECT_EQ(at_server.all<BinaryReceived>()[0].data, (Bytes{1, 2, 3}));
  ASSERT_TRUE(run_until([&] { return client->is_open(*id); }));
}

TEST_F(Endpoints, BinaryAndEmptyMessages) {
  connect();
  uint16_t id = open_from(*client, at_client, at_server);
  Bytes payload(3000);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = uint8_t(i * 7);
  ASSERT_TRUE(client->send_binary(id, payload, link.now()));
  ASSERT_TRUE(client->send_text(id, "", link.now()));
  ASSERT_TRUE(client->send_binary(id, {}, link.now()));
  ASSERT_TRUE(run_until([&] { return at_server.all<BinaryReceived>().size() == 2; }));
  EXPECT_EQ(at_server.all<BinaryReceived>()[0].data, payload);
  EXPECT_TRUE(at_server.all<BinaryReceived>()[1].data.empty());
  ASSERT_EQ(at_server.all<TextReceived>().size(), 1u);
  EXPECT_EQ(at_server.all<TextReceived>()[0].text, "");
}

TEST_F(Endpoints, MaxSizeGoesOverMaxIsRefusedClearly) {
  connect();
  uint16_t id = open_from(*client, at_client, at_server);
  std::string max(256 * 1024, 'm');
  ASSERT_TRUE(client->send_text(id, max, link.now()));
  auto over = client->send_text(id, max + "!", link.now());
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error(),
            "sctp: message of 262145 bytes is over the peer's max-message-size of 262144");
  ASSERT_TRUE(run_until([&] { return at_server.all<TextReceived>().size() == 1; }));
  EXPECT_EQ(at_server.all<TextReceived>()[0].text.size(), max.size());
}

TEST_F(Endpoints, InvalidUtf8TextIsRefused) {
  connect();
  uint16_t id = open_from(*client, at_client, at_server);
  EXPECT_FALSE(client->send_text(id, "\xff", link.now()).ok());
}

TEST_F(Endpoints, EveryFifthPacketLostStillDeliversAllInOrder) {
  connect();
  uint16_t id = open_from(*client, at_client, at_server);
  link.drop_every(5);
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(client->send_text(id, "c" + std::to_string(i), link.now()));
    ASSERT_TRUE(server->send_text(id, "s" + std::to_string(i), link.now()));
  }
  ASSERT_TRUE(run_until([&] {
    return at_server.all<TextReceived>().size() == 40 && at_client.all<TextReceived>().size() == 40;
  }, seconds(60)));
  EXPECT_GT(link.dropped(), 5u);
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(at_server.all<TextReceived>()[i].text, "c" + std::to_string(i));
    EXPECT_EQ(at_client.all<TextReceived>()[i].text, "s" + std::to_string(i));
  }
}

TEST_F(Endpoints, OpeningUnderLossStillWorks) {
  link.drop_every(5);
  client->start(link.now());
  server->start(link.now());
  ASSERT_TRUE(run_until([&] { return client->connected() && server->connected(); }, seconds(60)));
  uint16_t id = open_from(*server, at_server, at_client);
  ASSERT_TRUE(server->send_text(id, "through", link.now()));
  ASSERT_TRUE(run_until([&] { return !at_client.all<TextReceived>().empty(); }, seconds(60)));
}

TEST_F(Endpoints, ClosingEitherSideClosesBoth) {
  connect();
  uint16_t a = open_from(*client, at_client, at_server);
  uint16_t b = open_from(*server, at_server, at_client);
  ASSERT_TRUE(client->send_text(a, "bye", link.now()));
  ASSERT_TRUE(client->close(a, link.now()));
  EXPECT_FALSE(client->send_text(a, "too late", link.now()).ok());
  ASSERT_TRUE(run_until([&] {
    return at_client.all<ChannelClosed>().size() == 1 && at_server.all<ChannelClosed>().size() == 1;
  }));
  EXPECT_EQ(at_server.all<TextReceived>().back().text, "bye");  // data before the reset
  EXPECT_EQ(at_server.all<ChannelClosed>()[0].channel, a);
  EXPECT_FALSE(server->is_open(a));
  // The other channel is untouched, and the server closes it.
  ASSERT_TRUE(server->send_text(b, "still here", link.now()));
  ASSERT_TRUE(server->close(b, link.now()));
  ASSERT_TRUE(run_until([&] { return at_client.all<ChannelClosed>().size() == 2; }));
  EXPECT_EQ(at_client.all<TextReceived>().back().text, "still here");
  // The stream ids are free again once both resets are done.
  link.run_until([] { return false; }, milliseconds(500));
  auto again = client->open("again", "", link.now());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, a);
  ASSERT_TRUE(run_until([&] { return client->is_open(a) && server->is_open(a); }));
  ASSERT_TRUE(client->send_text(a, "reborn", link.now()));
  ASSERT_TRUE(run_until([&] { return at_server.all<TextReceived>().back().text == "reborn"; }));
}

TEST_F(Endpoints, ShutdownEndsThePeersChannels) {
  connect();
  uint16_t id = open_from(*client, at_client, at_server);
  client->shutdown(link.now());
  ASSERT_TRUE(run_until([&] { return !at_server.all<Disconnected>().empty(); }));
  EXPECT_EQ(at_server.all<ChannelClosed>().size(), 1u);
  EXPECT_EQ(at_server.all<ChannelClosed>()[0].channel, id);
  EXPECT_TRUE(at_server.all<Disconnected>()[0].failed);
  EXPECT_FALSE(server->send_text(id, "anyone?", link.now()).ok());
}

TEST_F(Endpoints, SendOnUnknownChannelIsRefused) {
  connect();
  EXPECT_FALSE(client->send_text(42, "x", link.now()).ok());
  EXPECT_FALSE(client->close(42, link.now()).ok());
}

}  // namespace
}  // namespace peercall
