// Round trip of a real libx264 stream (made by the ffmpeg CLI in a temp dir)
// through packetizer and depacketizer, then decoded again by ffprobe.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "packet/h264_depacketizer.hpp"
#include "packet/h264_nal.hpp"
#include "packet/h264_packetizer.hpp"
#include "synthetic_h264.hpp"

using namespace peercall;
using peercall::test::RtpPacket;
namespace fs = std::filesystem;

namespace {

constexpr int kFrames = 30;
constexpr int kGop = 10;

class RealStream : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "peercall-packet-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    // AUDs mark access unit boundaries in the raw stream; 3 slices per frame,
    // an IDR (with SPS/PPS) every kGop frames, no B-frames.
    const std::string cmd =
        "ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc=size=320x240:rate=30 -frames:v " +
        std::to_string(kFrames) + " -c:v libx264 -preset ultrafast -tune zerolatency -g " +
        std::to_string(kGop) + " -sc_threshold 0 -x264-params aud=1:slices=3 -f h264 '" +
        (dir_ / "in.h264").string() + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(dir_ / "in.h264", std::ios::binary);
    stream_.assign(std::istreambuf_iterator<char>(in), {});
    ASSERT_FALSE(stream_.empty());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Access units as the encoder framed them (split at AUDs), and what the
  // depacketizer must give back for each.
  void split_access_units() {
    for (ByteView nal : split_annexb(stream_)) {
      if (h264_nal_type(nal[0]) == H264NalType::kAud) {
        units_.emplace_back();
        expected_.emplace_back();
      } else {
        ASSERT_FALSE(units_.empty());
        append_annexb_nal(expected_.back(), nal);
      }
      append_annexb_nal(units_.back(), nal);
    }
  }

  // Frames decodable from `annexb`, as counted by ffprobe.
  int decoded_frames(const Bytes& annexb) {
    const fs::path path = dir_ / "out.h264";
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(annexb.data()),
                                                std::streamsize(annexb.size()));
    const fs::path count = dir_ / "count.txt";
    const std::string cmd =
        "ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames "
        "-of csv=p=0 '" + path.string() + "' > '" + count.string() + "'";
    if (std::system(cmd.c_str()) != 0) return -1;
    int frames = -1;
    std::ifstream(count) >> frames;
    return frames;
  }

  fs::path dir_;
  Bytes stream_;
  std::vector<Bytes> units_, expected_;
};

}  // namespace

TEST_F(RealStream, ReorderedRoundTripIsByteExactAndDecodes) {
  split_access_units();
  ASSERT_EQ(units_.size(), size_t(kFrames));
  std::vector<RtpPacket> packets;
  for (size_t f = 0; f < units_.size(); ++f) {
    auto frame = peercall::test::to_rtp(H264Packetizer(1200), {{units_[f], {}, false}},
                                        int64_t(packets.size()) + 65000, uint32_t(3000 * f));
    packets.insert(packets.end(), frame.begin(), frame.end());
  }
  // Swap neighbours now and then: reordering within and across frames.
  std::mt19937 rng(7);
  for (size_t i = 20; i + 1 < packets.size(); ++i) {
    if (rng() % 4 == 0) std::swap(packets[i], packets[i + 1]);
  }
  H264Depacketizer d;
  Bytes out;
  size_t frames = 0, keyframes = 0;
  for (const RtpPacket& p : packets) {
    d.push(p.seq, p.timestamp, p.marker, p.payload, {});
    while (auto au = d.pop_frame()) {
      ASSERT_LT(frames, expected_.size());
      EXPECT_EQ(au->annexb, expected_[frames]) << frames;
      EXPECT_EQ(au->rtp_timestamp, 3000 * frames);
      keyframes += au->keyframe;
      out.insert(out.end(), au->annexb.begin(), au->annexb.end());
      ++frames;
    }
  }
  EXPECT_EQ(frames, size_t(kFrames));
  EXPECT_EQ(keyframes, size_t(kFrames / kGop));
  EXPECT_EQ(d.stats().frames_lost, 0u);
  EXPECT_EQ(decoded_frames(out), kFrames);
}

TEST_F(RealStream, AfterALossOnlyDecodableFramesComeOut) {
  split_access_units();
  ASSERT_EQ(units_.size(), size_t(kFrames));
  H264Depacketizer d;
  Bytes out;
  int64_t seq = 0;
  size_t frames = 0;
  for (size_t f = 0; f < units_.size(); ++f) {
    const auto payloads = H264Packetizer(1200).packetize(units_[f]);
    for (size_t i = 0; i < payloads.size(); ++i, ++seq) {
      if (f == 12 && i == 0) continue;  // lost
      d.push(seq, uint32_t(3000 * f), i + 1 == payloads.size(), payloads[i], {});
    }
    while (auto au = d.pop_frame()) {
      out.insert(out.end(), au->annexb.begin(), au->annexb.end());
      ++frames;
    }
  }
  // Frames 12..19 are gone (12 lost, the rest lack references) until the IDR at 20.
  // (A frame whose every packet is lost cannot be told from its neighbour, so
  // the lost/dropped split is not exact.)
  EXPECT_GE(d.stats().frames_lost, 1u);
  EXPECT_GE(d.stats().frames_dropped_waiting_keyframe, 6u);
  EXPECT_EQ(frames, size_t(kFrames - 8));
  EXPECT_EQ(decoded_frames(out), kFrames - 8);
}
