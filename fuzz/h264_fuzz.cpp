// The H.264 frame assembler fed a stream of RTP payloads. Per packet: a
// control byte (bit 0 marker; bits 1-3 a sequence step of -2..+5, so there
// is loss, reordering and duplication; bits 4-7 a timestamp step), then a
// length-prefixed payload (an empty one with the marker is padding, a
// ULPFEC repair's place in the sequence). Frames are popped as they complete.
#include <cstdlib>

#include "fuzz_input.hpp"
#include "packet/h264_depacketizer.hpp"

using namespace peercall;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  H264Depacketizer depacketizer;
  int64_t seq = 1000;
  uint32_t timestamp = 90000;
  Instant arrival{};
  while (!in.empty()) {
    const uint8_t control = in.byte();
    const ByteView payload = in.chunk();
    seq += int((control >> 1) & 7) - 2;
    timestamp += uint32_t(control >> 4) * 1500;
    arrival += milliseconds(1);
    if (payload.empty() && (control & 1))
      depacketizer.push_padding(seq, timestamp, arrival);
    else
      depacketizer.push(seq, timestamp, control & 1, payload, arrival);
    while (auto frame = depacketizer.pop_frame()) {
      if (frame->first_seq > frame->last_seq) abort();
    }
    (void)depacketizer.take_keyframe_request();
    if (depacketizer.buffered_packets() > H264Depacketizer::kMaxBufferedPackets) abort();
  }
  return 0;
}
