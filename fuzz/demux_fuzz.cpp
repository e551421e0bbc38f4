// The encrypted transport fed hostile wire datagrams: PeerConnection's
// RFC 7983 demux (STUN / DTLS / SRTP / garbage), DTLS record handling before
// and after the handshake, SRTP/SRTCP unprotect, and (through a peer that
// holds the real keys) the session's RTP/RTCP handling of authenticated input.
//
// Each datagram of the input is a control byte then a 2-byte length and the
// bytes (fuzz_input.hpp). The control byte's low 2 bits choose who gets it:
//   0  a DTLS server that has not finished its handshake (a ClientHello from nowhere)
//   1  a DTLS client waiting for the ServerHello it asked for
//   2  the connected PeerConnection, as raw wire bytes
//   3  the connected PeerConnection, SRTP-protected first by its real peer
//      (the first byte is forced to RTP/RTCP version 2), so the plaintext is fuzzed
// and its upper 6 bits advance the virtual clock by that many 50 ms steps.
//
// The identities are generated once. The connected pair is built by a real
// in-memory handshake and, for speed (a handshake under ASan costs ~10 ms),
// kept across inputs like a long call under attack; it is rebuilt when it is
// no longer connected. PEERCALL_FUZZ_FRESH=1 rebuilds it for every input, to
// reproduce a crash whose file alone does not. The two handshake-stage
// endpoints are made fresh for each input that addresses them.
#include <cstdlib>
#include <memory>

#include "fuzz_input.hpp"
#include "transport/packet_class.hpp"
#include "transport/peer_connection.hpp"

using namespace peercall;

namespace {

const Instant kStart = Instant(std::chrono::hours(24 * 365 * 20));

struct Identities {
  std::shared_ptr<const Identity> target = *Identity::generate("fuzz-target");
  std::shared_ptr<const Identity> peer = *Identity::generate("fuzz-peer");
};
const Identities& identities() {
  static const Identities ids;
  return ids;
}

DtlsConfig dtls_config(DtlsRole role, std::shared_ptr<const Identity> own, const Identity& remote) {
  DtlsConfig c;
  c.role = role;
  c.identity = std::move(own);
  c.expected_remote = remote.fingerprint();
  return c;
}

// As src/app/connection_config.cpp fills it: Opus PT 111 at 48 kHz, H.264 PT 96
// at 90 kHz, remote SSRCs learnt from the first authenticated packet.
PeerConnectionConfig target_config(DtlsRole role) {
  PeerConnectionConfig c;
  c.session.streams = {{MediaKind::kAudio, "0", true, true, 111, 48000, 0x1111, 0},
                       {MediaKind::kVideo, "1", true, true, 96, 90000, 0x2222, 0}};
  c.session.random_seed = 7;
  c.dtls = dtls_config(role, identities().target, *identities().peer);
  return c;
}

// Every datagram a connection puts on the wire must be DTLS or SRTP/SRTCP:
// nothing plain, nothing of another class. Events are drained and ignored.
void drain(PeerConnection& pc, SecureChannel* deliver_to, Instant now) {
  while (auto out = pc.poll_output()) {
    auto* t = std::get_if<Transmit>(&*out);
    if (!t) continue;
    const PacketClass c = classify_packet(t->datagram);
    if (c != PacketClass::kDtls && c != PacketClass::kRtp && c != PacketClass::kRtcp) abort();
    if (c != PacketClass::kDtls && !pc.connected() && !pc.closed()) abort();  // media before keys
    if (deliver_to) deliver_to->handle_wire(t->datagram, now);
  }
}

struct ConnectedPair {
  std::unique_ptr<PeerConnection> target;  // DTLS server
  std::unique_ptr<SecureChannel> peer;     // DTLS client, holding the matching keys

  bool connect(Instant now) {
    auto t = PeerConnection::create(target_config(DtlsRole::kServer), now);
    auto p = SecureChannel::create(dtls_config(DtlsRole::kClient, identities().peer, *identities().target), now);
    if (!t || !p) return false;
    target = std::move(*t);
    peer = std::move(*p);
    target->on_writable(now);
    peer->start(now);
    for (int round = 0; round < 20; ++round) {
      while (auto d = peer->poll_wire()) target->handle_datagram(*d, now);
      drain(*target, peer.get(), now);
      while (peer->poll_plain()) {
      }
      if (target->connected() && peer->state() == ChannelState::kConnected && !peer->poll_wire()) return true;
    }
    return false;
  }
};

void flush_peer(ConnectedPair& pair, Instant now) {
  while (auto d = pair.peer->poll_wire()) pair.target->handle_datagram(*d, now);
  drain(*pair.target, pair.peer.get(), now);
  while (pair.peer->poll_plain()) {
  }
}

// A connection that has just sent its first flight (the client its ClientHello).
std::unique_ptr<PeerConnection> handshaking(DtlsRole role, Instant now) {
  auto pc = PeerConnection::create(target_config(role), now);
  if (!pc) abort();
  (*pc)->on_writable(now);
  drain(**pc, nullptr, now);
  return std::move(*pc);
}

bool fresh_every_input() {
  static const bool fresh = [] {
    const char* v = std::getenv("PEERCALL_FUZZ_FRESH");
    return v && *v && *v != '0';
  }();
  return fresh;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The persistent pair's clock only moves forward.
  static Instant now = kStart;
  static ConnectedPair pair;
  if (fresh_every_input() || !pair.target || !pair.target->connected() ||
      pair.peer->state() != ChannelState::kConnected) {
    now += seconds(60);
    if (!pair.connect(now)) abort();  // the fixture itself must work
  }
  std::unique_ptr<PeerConnection> server, client;

  fuzz::FuzzInput in(data, size);
  while (!in.empty()) {
    const uint8_t control = in.byte();
    const ByteView datagram = in.chunk();
    if (const int steps = control >> 2; steps > 0) {
      now += milliseconds(50) * steps;
      for (PeerConnection* pc : {server.get(), client.get(), pair.target.get()})
        if (pc) pc->handle_timeout(now);
      pair.peer->handle_timeout(now);
    }
    switch (control & 3) {
      case 0:
        if (!server) server = handshaking(DtlsRole::kServer, now);
        server->handle_datagram(datagram, now);
        break;
      case 1:
        if (!client) client = handshaking(DtlsRole::kClient, now);
        client->handle_datagram(datagram, now);
        break;
      case 2: pair.target->handle_datagram(datagram, now); break;
      case 3: {
        if (datagram.empty()) break;
        Bytes plain(datagram.begin(), datagram.end());
        plain[0] = uint8_t(0x80 | (plain[0] & 0x3f));
        pair.peer->send_plain(plain, now);
        break;
      }
    }
    if (server) drain(*server, nullptr, now);
    if (client) drain(*client, nullptr, now);
    flush_peer(pair, now);
  }
  // Goodbyes go through the same checks.
  for (PeerConnection* pc : {server.get(), client.get()}) {
    if (!pc) continue;
    pc->close(now);
    drain(*pc, nullptr, now);
  }
  return 0;
}
