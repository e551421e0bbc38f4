#include "sdp/sdp_writer.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "chrome_offer.hpp"
#include "sdp/offer_answer.hpp"
#include "sdp/sdp_parser.hpp"

using namespace peercall;

namespace {

SessionDescription full_model() {
  SessionDescription sd;
  sd.session_id = 9223372036854775807u;
  sd.session_version = 42;
  sd.origin_address = "2001:db8::7";
  sd.session_name = "a call";
  sd.connection_address = "198.51.100.4";
  sd.attributes = {{"group", "BUNDLE a v"}, {"ice-lite", ""}};
  MediaDescription audio;
  audio.kind = "audio";
  audio.port = 50000;
  audio.protocol = "RTP/AVP";
  audio.codecs = {{111, "opus", 48000, 2, "minptime=10;useinbandfec=1", {"transport-cc"}},
                  {0, "PCMU", 8000, 1, "", {}},
                  {101, "telephone-event", 8000, 1, "0-16", {}}};
  audio.direction = Direction::kSendOnly;
  audio.mid = "a";
  audio.rtcp_mux = true;
  audio.ssrcs = {1, 4294967295u};
  audio.cname = "me@host";
  audio.other_attributes = {{"ptime", "20"}, {"ssrc", "1 msid:s t"}, {"rtcp-fb", "* nack"}};
  MediaDescription video;
  video.kind = "video";
  video.port = 50002;
  video.protocol = "UDP/TLS/RTP/SAVPF";
  video.codecs = {{96, "H264", 90000, 1, "packetization-mode=1", {"nack", "nack pli", "ccm fir"}},
                  {97, "rtx", 90000, 1, "apt=96", {}}};
  video.direction = Direction::kRecvOnly;
  video.mid = "v";
  video.connection_address = "2001:db8::9";
  MediaDescription data;
  data.kind = "application";
  data.protocol = "UDP/DTLS/SCTP";
  data.formats = {"webrtc-datachannel"};
  data.direction = Direction::kInactive;
  data.other_attributes = {{"sctp-port", "5000"}};
  sd.media = {audio, video, data};
  return sd;
}

int bind_udp(uint16_t port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  if (fd >= 0) close(fd);
  return -1;
}

// FFmpeg opens RTP on the m-line port and RTCP on port + 1: find a free pair.
uint16_t free_udp_port_pair() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int fd = bind_udp(0);
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    uint16_t port = ntohs(addr.sin_port);
    close(fd);
    if (port % 2 != 0 || port > 65000) continue;
    int next = bind_udp(port + 1);
    if (next < 0) continue;
    close(next);
    return port;
  }
  return 0;
}

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  pclose(pipe);
  return out;
}

}  // namespace

TEST(SdpWriter, RoundTripsTheModel) {
  const SessionDescription sd = full_model();
  const std::string text = write_sdp(sd);
  auto parsed = parse_sdp(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error() << "\n" << text;
  EXPECT_EQ(*parsed, sd) << text;
}

TEST(SdpWriter, RoundTripsTheChromeOffer) {
  auto offer = parse_sdp(test::chrome_offer());
  ASSERT_TRUE(offer.ok());
  auto again = parse_sdp(write_sdp(*offer));
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(*again, *offer);
}

TEST(SdpWriter, WritesCrlfLinesInRfcOrder) {
  const std::string text = write_sdp(full_model());
  EXPECT_TRUE(text.starts_with("v=0\r\no=- 9223372036854775807 42 IN IP6 2001:db8::7\r\ns=a call\r\n"
                               "c=IN IP4 198.51.100.4\r\nt=0 0\r\na=group:BUNDLE a v\r\na=ice-lite\r\n"
                               "m=audio 50000 RTP/AVP 111 0 101\r\n"))
      << text;
  EXPECT_NE(text.find("a=rtpmap:111 opus/48000/2\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=rtpmap:0 PCMU/8000\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=ssrc:4294967295 cname:me@host\r\n"), std::string::npos);
  EXPECT_NE(text.find("m=video 50002 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP6 2001:db8::9\r\n"), std::string::npos);
  EXPECT_NE(text.find("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"), std::string::npos);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ASSERT_TRUE(i > 0 && text[i - 1] == '\r') << "bare LF at " << i;
    }
  }
  EXPECT_TRUE(text.ends_with("\r\n"));
}

TEST(SdpWriter, FieldsCannotInjectLines) {
  SessionDescription sd = full_model();
  sd.session_name = "x\r\nm=video 1 RTP/AVP 1";
  sd.media[0].cname = "c\na=inactive";
  auto parsed = parse_sdp(write_sdp(sd));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->media.size(), 3u);
  EXPECT_EQ(parsed->session_name, "xm=video 1 RTP/AVP 1");
  EXPECT_EQ(parsed->media[0].direction, Direction::kSendOnly);
}

// FFmpeg's SDP demuxer must understand our offer. It binds every m-line's port, so
// the bundled offer is probed one media type at a time; -nofind_stream_info keeps
// ffprobe from waiting for packets that never come.
TEST(SdpWriter, FfprobeReadsOurOffer) {
  if (run("command -v ffprobe").empty()) GTEST_SKIP() << "ffprobe not installed";
  const uint16_t port = free_udp_port_pair();
  ASSERT_NE(port, 0);
  LocalMediaConfig local{"127.0.0.1", port};
  local.audio_ssrc = 0x1111;
  local.video_ssrc = 0x2222;
  local.cname = "probe";
  const auto dir = std::filesystem::temp_directory_path() / ("peercall_sdp_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "offer.sdp";
  std::ofstream(file, std::ios::binary) << write_sdp(create_offer(local));
  const std::string probe = "timeout 5 ffprobe -v error -protocol_whitelist file,udp,rtp -nofind_stream_info "
                            "-show_entries stream=codec_name,codec_type,sample_rate,channels -of compact "
                            "-allowed_media_types ";
  const std::string audio = run(probe + "audio -i " + file.string() + " 2>&1");
  const std::string video = run(probe + "video -i " + file.string() + " 2>&1");
  std::filesystem::remove_all(dir);
  EXPECT_EQ(audio, "stream|codec_name=opus|codec_type=audio|sample_rate=48000|channels=2\n");
  EXPECT_EQ(video, "stream|codec_name=h264|codec_type=video\n");
}
