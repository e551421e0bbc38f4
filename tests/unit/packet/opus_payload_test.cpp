#include "packet/opus_payload.hpp"

#include <gtest/gtest.h>
#include <opus.h>

#include <cmath>
#include <memory>
#include <vector>

using namespace peercall;

TEST(OpusPayload, RealEncoderPacketsAreValid) {
  int err = 0;
  std::unique_ptr<OpusEncoder, decltype(&opus_encoder_destroy)> enc(
      opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err), &opus_encoder_destroy);
  ASSERT_EQ(err, OPUS_OK);
  std::vector<opus_int16> pcm(960);
  uint8_t packet[1500];
  for (int frame = 0; frame < 25; ++frame) {
    for (size_t i = 0; i < pcm.size(); ++i) {
      pcm[i] = opus_int16(8000 * std::sin(0.05 * double(frame * 960 + int(i))));
    }
    const int n = opus_encode(enc.get(), pcm.data(), 960, packet, sizeof packet);
    ASSERT_GT(n, 0);
    EXPECT_TRUE(valid_opus_payload(ByteView(packet, size_t(n)))) << frame;
    EXPECT_EQ(opus_packet_get_samples_per_frame(packet, 48000) * opus_packet_get_nb_frames(packet, n),
              960);  // 20 ms: the RTP timestamp advances by 960 at kOpusRtpClockRate
  }
}

TEST(OpusPayload, RejectsBrokenFraming) {
  EXPECT_FALSE(valid_opus_payload(Bytes{}));
  EXPECT_TRUE(valid_opus_payload(Bytes{0x78}));             // code 0, empty frame (DTX)
  EXPECT_TRUE(valid_opus_payload(Bytes{0x79, 1, 2}));       // code 1, two 1-byte frames
  EXPECT_FALSE(valid_opus_payload(Bytes{0x79, 1, 2, 3}));   // code 1, odd length
  EXPECT_FALSE(valid_opus_payload(Bytes{0x7A}));            // code 2, no length
  EXPECT_TRUE(valid_opus_payload(Bytes{0x7A, 1, 9, 9}));    // code 2, 1 + 1 bytes
  EXPECT_FALSE(valid_opus_payload(Bytes{0x7A, 5, 9, 9}));   // code 2, length overrun
  EXPECT_FALSE(valid_opus_payload(Bytes{0x7A, 252}));       // code 2, half a 2-byte length
  EXPECT_FALSE(valid_opus_payload(Bytes{0x7B}));            // code 3, no frame count
  EXPECT_FALSE(valid_opus_payload(Bytes{0x7B, 0x00}));      // code 3, zero frames
  EXPECT_TRUE(valid_opus_payload(Bytes{0xFB, 6, 0, 0}));    // code 3, CELT 20 ms x 6 = 120 ms
  EXPECT_FALSE(valid_opus_payload(Bytes{0xFB, 7, 0, 0}));   // code 3, 140 ms
  EXPECT_TRUE(valid_opus_payload(Bytes{0x83, 48}));         // code 3, CELT 2.5 ms x 48
  EXPECT_FALSE(valid_opus_payload(Bytes{0x1B, 3}));         // code 3, SILK 60 ms x 3
  Bytes too_big(1 + 1276, 0x55);
  too_big[0] = 0x78;
  EXPECT_FALSE(valid_opus_payload(too_big));
}
