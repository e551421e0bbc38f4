// parse_sdp on untrusted text (it arrives in an HTTP POST). What parses is
// answered as an offer (create_answer), taken as the answer to our own offer
// (apply_answer), and written back: our writer's output must parse again.
#include <cstdlib>
#include <string_view>

#include "sdp/offer_answer.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"

using namespace peercall;

namespace {

LocalMediaConfig local_config(bool caller) {
  LocalMediaConfig c;
  c.audio_ssrc = caller ? 0xA0A0A0A0 : 0xC0C0C0C0;
  c.video_ssrc = caller ? 0xB0B0B0B0 : 0xD0D0D0D0;
  c.cname = caller ? "caller" : "listener";
  c.transport.ice_ufrag = caller ? "cAll" : "LiSt";
  c.transport.ice_pwd = caller ? "callerPasswordIs22chars" : "listener+Password/24chr";
  c.transport.fingerprint =
      "sha-256 A0:B1:C2:D3:E4:F5:06:17:28:39:4A:5B:6C:7D:8E:9F:A0:B1:C2:D3:E4:F5:06:17:28:39:4A:5B:6C:7D:8E:9F";
  c.transport.candidates = {"candidate:1 1 udp 2130706431 192.0.2.20 40000 typ host"};
  return c;
}

const SessionDescription& our_offer() {
  static const SessionDescription offer = create_offer(local_config(true));
  return offer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_sdp(text);
  if (!parsed) return 0;

  if (!parse_sdp(write_sdp(*parsed))) abort();

  static const LocalMediaConfig listener = local_config(false);
  auto answer = create_answer(*parsed, listener);
  if (answer) {
    if (!parse_sdp(write_sdp(answer->first))) abort();
    // Our answer must be acceptable to the offer it answers.
    (void)apply_answer(*parsed, answer->first);
  }
  (void)apply_answer(our_offer(), *parsed);
  return 0;
}
