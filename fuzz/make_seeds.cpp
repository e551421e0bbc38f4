// Writes the seed corpora under DIR/<target>/ from the project's own builders
// (and libnice's for STUN), so the seeds are well-formed starting points:
//   build-fuzz/make_seeds fuzz/corpus
// The same files every run (fixed SSRCs and ids), except the DTLS ClientHello,
// which carries a fresh random and certificate.
#include <stun/stunagent.h>
#include <stun/stunmessage.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "packet/h264_packetizer.hpp"
#include "fec/ulpfec_packet.hpp"
#include "rtp/red_packet.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_packet.hpp"
#include "sdp/offer_answer.hpp"
#include "sdp/sdp_writer.hpp"
#include "transport/secure_channel.hpp"

using namespace peercall;
namespace fs = std::filesystem;

namespace {

fs::path g_root;

void write_seed(const std::string& target, const std::string& name, const Bytes& bytes) {
  const fs::path dir = g_root / target;
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}
void write_seed(const std::string& target, const std::string& name, const std::string& text) {
  write_seed(target, name, Bytes(text.begin(), text.end()));
}

// A fake H.264 access unit (SPS, PPS, IDR or one P slice) whose body holds no start code.
Bytes access_unit(bool key, size_t body) {
  Bytes au;
  auto nal = [&](uint8_t header, size_t n) {
    au.insert(au.end(), {0, 0, 0, 1, header});
    for (size_t i = 0; i < n; ++i) au.push_back(uint8_t(1 + i % 250));
  };
  if (key) {
    nal(0x67, 8);
    nal(0x68, 4);
    nal(0x65, body);
  } else {
    nal(0x41, body);
  }
  return au;
}

Bytes rtp(uint8_t pt, uint16_t seq, uint32_t ts, bool marker, ByteView payload, std::vector<uint32_t> csrcs = {}) {
  RtpHeader h;
  h.payload_type = pt;
  h.sequence_number = seq;
  h.timestamp = ts;
  h.ssrc = 0x5EED0001;
  h.marker = marker;
  h.csrcs = std::move(csrcs);
  Bytes out;
  write_rtp(h, payload, out);
  return out;
}

// Appends one datagram in fuzz_input.hpp's framing, with an optional control byte.
void frame(Bytes& out, ByteView datagram, int control = -1) {
  if (control >= 0) out.push_back(uint8_t(control));
  out.push_back(uint8_t(datagram.size() >> 8));
  out.push_back(uint8_t(datagram.size()));
  out.insert(out.end(), datagram.begin(), datagram.end());
}

void rtp_seeds() {
  const Bytes payload = {0x78, 1, 2, 3, 4};
  write_seed("rtp", "opus", rtp(111, 1, 960, false, payload));
  write_seed("rtp", "csrcs-marker", rtp(96, 65535, 3000, true, payload, {1, 2, 3}));
  Bytes ext = rtp(96, 7, 0, false, payload);
  ext[0] |= 0x10;  // X bit: a one-word extension after the fixed header
  ext.insert(ext.begin() + 12, {0xBE, 0xDE, 0, 1, 0x10, 0xAA, 0, 0});
  write_seed("rtp", "extension", ext);
  Bytes padded = rtp(96, 8, 0, false, payload);
  padded[0] |= 0x20;
  padded.insert(padded.end(), {0, 0, 3});
  write_seed("rtp", "padding", padded);
  Bytes red_media;
  write_red_payload(96, payload, red_media);
  write_seed("rtp", "red-media", rtp(100, 9, 3000, true, red_media));
  UlpfecHeader fec;
  fec.sn_base = 9;
  fec.mask.set(0);
  fec.mask.set(20);  // a long mask
  fec.protection_length = uint16_t(payload.size());
  Bytes block;
  write_ulpfec_header(fec, block);
  block.insert(block.end(), payload.begin(), payload.end());
  Bytes red_fec;
  write_red_payload(101, block, red_fec);
  write_seed("rtp", "red-ulpfec", rtp(100, 10, 3000, false, red_fec));
}

void rtcp_seeds() {
  SenderReport sr{0x1111, 0x0102030405060708ull, 90000, 10, 1000, {{0x2222, 12, 3, 70000, 40, 0x0506, 65536}}};
  write_seed("rtcp", "sr-sdes", write_rtcp_compound({sr, SourceDescription{0x1111, "peercall-a"}}));
  write_seed("rtcp", "rr-pli", write_rtcp_compound({ReceiverReport{0x2222, {}}, PictureLossIndication{0x2222, 0x1111}}));
  write_seed("rtcp", "rr-nack", write_rtcp_compound({ReceiverReport{0x2222, {}}, GenericNack{0x2222, 0x1111, {10, 11, 15, 40}}}));
  write_seed("rtcp", "bye", write_rtcp_compound({ReceiverReport{0x2222, {}}, Bye{{0x2222}}}));
}

void h264_seeds() {
  for (auto [name, key, body, mtu] : {std::tuple{"idr-fua", true, 300, 100}, std::tuple{"p-single", false, 60, 1200},
                                      std::tuple{"idr-stap", true, 20, 1200}}) {
    const auto packets = H264Packetizer(mtu).packetize(access_unit(key, body));
    Bytes seed;
    for (size_t i = 0; i < packets.size(); ++i) frame(seed, packets[i], (i + 1 == packets.size() ? 1 : 0) | 2 << 1);
    write_seed("h264", name, seed);
  }
}

LocalMediaConfig local(bool caller) {
  LocalMediaConfig c;
  c.audio_ssrc = caller ? 0xA0A0A0A0 : 0xC0C0C0C0;
  c.video_ssrc = caller ? 0xB0B0B0B0 : 0xD0D0D0D0;
  c.cname = caller ? "caller" : "listener";
  c.transport.ice_ufrag = caller ? "cAll" : "LiSt";
  c.transport.ice_pwd = caller ? "callerPasswordIs22chars" : "listener+Password/24chr";
  c.transport.fingerprint =
      "sha-256 11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00";
  c.transport.candidates = {"candidate:1 1 udp 2130706431 192.0.2.10 40000 typ host"};
  return c;
}

void sdp_seeds() {
  const SessionDescription offer = create_offer(local(true));
  write_seed("sdp", "offer", write_sdp(offer));
  auto answer = create_answer(offer, local(false));
  if (answer) write_seed("sdp", "answer", write_sdp(answer->first));
  LocalMediaConfig recvonly = local(true);
  recvonly.send_audio = recvonly.send_video = false;
  write_seed("sdp", "offer-recvonly", write_sdp(create_offer(recvonly)));
}

const uint16_t kKnown[] = {STUN_ATTRIBUTE_USERNAME, STUN_ATTRIBUTE_MESSAGE_INTEGRITY, STUN_ATTRIBUTE_PRIORITY,
                           STUN_ATTRIBUTE_USE_CANDIDATE, STUN_ATTRIBUTE_ICE_CONTROLLING, STUN_ATTRIBUTE_FINGERPRINT,
                           STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, 0};

void stun_seeds() {
  StunAgent agent;
  stun_agent_init(&agent, kKnown, STUN_COMPATIBILITY_RFC5389,
                  StunAgentUsageFlags(STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT));
  const std::string user = "LiSt:cAll", pass = "listener+Password/24chr";
  uint8_t buf[1024];
  StunMessage msg;
  stun_agent_init_request(&agent, &msg, buf, sizeof buf, STUN_BINDING);
  stun_message_append_string(&msg, STUN_ATTRIBUTE_USERNAME, user.c_str());
  stun_message_append32(&msg, STUN_ATTRIBUTE_PRIORITY, 1853824767);
  stun_message_append_flag(&msg, STUN_ATTRIBUTE_USE_CANDIDATE);
  stun_message_append64(&msg, STUN_ATTRIBUTE_ICE_CONTROLLING, 0x0102030405060708ull);
  size_t n = stun_agent_finish_message(&agent, &msg, reinterpret_cast<const uint8_t*>(pass.data()), pass.size());
  const Bytes request(buf, buf + n);
  write_seed("stun", "binding-request", request);
  Bytes bad_integrity = request;
  bad_integrity[n - 12] ^= 1;  // inside MESSAGE-INTEGRITY (FINGERPRINT follows; both now wrong)
  write_seed("stun", "bad-integrity", bad_integrity);
  Bytes absurd_length = request;
  absurd_length[2] = 0xFF, absurd_length[3] = 0xFC;
  write_seed("stun", "absurd-length", absurd_length);

  // A success response with XOR-MAPPED-ADDRESS, as a STUN server sends.
  StunMessage response;
  stun_agent_init_response(&agent, &response, buf, sizeof buf, &msg);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(40000);
  inet_pton(AF_INET, "192.0.2.10", &addr.sin_addr);
  stun_message_append_xor_addr(&response, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, reinterpret_cast<sockaddr_storage*>(&addr),
                               sizeof addr);
  n = stun_agent_finish_message(&agent, &response, reinterpret_cast<const uint8_t*>(pass.data()), pass.size());
  write_seed("stun", "binding-response", Bytes(buf, buf + n));
}

void demux_seeds() {
  // A real ClientHello for the handshaking server, and one for the connected target.
  auto id = *Identity::generate("seed");
  DtlsConfig c;
  c.identity = id;
  auto client = std::move(*SecureChannel::create(c, Instant{}));
  client->start(Instant{});
  const Bytes hello = *client->poll_wire();
  Bytes seed;
  frame(seed, hello, 0);
  write_seed("demux", "client-hello", seed);

  Bytes stun = {0, 1, 0, 0, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const auto fu = H264Packetizer(200).packetize(access_unit(true, 500));
  Bytes media;
  frame(media, rtp(96, 100, 3000, false, fu[0]), 3);
  for (size_t i = 1; i < fu.size(); ++i)
    frame(media, rtp(96, uint16_t(100 + i), 3000, i + 1 == fu.size(), fu[i]), 3 | (i == 1 ? 4 : 0));
  frame(media, rtp(111, 5, 960, false, Bytes{0x78, 1, 2}), 3);
  SenderReport sr{0x5EED0001, 1, 3000, 3, 900, {}};
  frame(media, write_rtcp_compound({sr, SourceDescription{0x5EED0001, "seed"}}), 3);
  frame(media, write_rtcp_compound({ReceiverReport{0x5EED0001, {}}, PictureLossIndication{0x5EED0001, 0x2222}}), 3);
  write_seed("demux", "protected-media", media);

  Bytes mixed;
  frame(mixed, stun, 2);
  frame(mixed, hello, 2);                                  // a stray hello after connecting
  frame(mixed, rtp(96, 1, 0, true, Bytes(40, 0xAB)), 2);   // plain RTP: fails SRTP auth
  frame(mixed, Bytes{200, 0, 0, 1, 1, 2, 3, 4}, 2);        // unknown class (first byte 200)
  frame(mixed, Bytes{23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4}, 1 | 8);  // app data, epoch 1
  frame(mixed, Bytes{21, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 40}, 0);           // fatal alert
  write_seed("demux", "mixed", mixed);
  frame(mixed, write_rtcp_compound({Bye{{0x5EED0001}}}), 3);
  write_seed("demux", "bye", mixed);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds DIR\n");
    return 2;
  }
  g_root = argv[1];
  rtp_seeds();
  rtcp_seeds();
  h264_seeds();
  sdp_seeds();
  stun_seeds();
  demux_seeds();
  return 0;
}
