// Offer/answer against what Chrome writes: the answer to its offer, and its
// answer to ours.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "chrome_answer.hpp"
#include "chrome_offer.hpp"
#include "sdp/offer_answer.hpp"
#include "sdp_test_peers.hpp"

using namespace peercall;
using namespace peercall::test;

namespace {

const std::string kChromeOfferFingerprint =
    "sha-256 4A:1F:9C:0E:77:B2:5D:C3:18:6A:F0:2B:93:E4:D1:8C:57:0A:BE:64:29:F3:C8:11:7D:A5:4E:90:36:BB:02:EF";

const std::string kChromeCandidates =
    "a=candidate:842163049 1 udp 2122260223 10.0.0.7 53210 typ host generation 0 network-id 1\r\n"
    "a=candidate:1510613869 1 udp 1686052607 203.0.113.9 53210 typ srflx raddr 10.0.0.7 rport 53210 "
    "generation 0 network-id 1\r\n";

// The Chrome offer after gathering, with a data channel and a second camera added.
std::string chrome_offer_with_extras() {
  std::string text = replace_all(chrome_offer(), "a=setup:actpass\r\n", "a=setup:actpass\r\n" + kChromeCandidates);
  text = replace_all(text, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2 3");
  text += "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
          "a=ice-ufrag:Qm7x\r\na=ice-pwd:v3kD9sLq2Rz8TnW1pYc6HbJf\r\n" + kChromeCandidates +
          "a=fingerprint:" + kChromeOfferFingerprint + "\r\na=setup:actpass\r\na=mid:2\r\na=sctp-port:5000\r\n"
          "m=video 9 UDP/TLS/RTP/SAVPF 108\r\nc=IN IP4 0.0.0.0\r\na=mid:3\r\na=sendrecv\r\na=rtcp-mux\r\n"
          "a=rtpmap:108 H264/90000\r\na=fmtp:108 packetization-mode=1;profile-level-id=42e01f\r\n";
  return text;
}

}  // namespace

TEST(ChromeInterop, AnswerPicksOpusAndConstrainedBaselineH264) {
  auto answered = create_answer(parse(chrome_offer()), listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  const auto& [answer, n] = *answered;
  EXPECT_EQ(n.audio.codec.payload_type, 111);
  EXPECT_EQ(n.audio.codec.name, "opus");
  EXPECT_EQ(n.audio.codec.fmtp, "minptime=10");  // no FEC: we do not decode it
  EXPECT_TRUE(n.audio.codec.rtcp_feedback.empty());
  // 102/106: packetization-mode=0; 104: baseline; 108: constrained baseline, mode 1.
  EXPECT_EQ(n.video.codec.payload_type, 108);
  EXPECT_EQ(n.video.codec.fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  EXPECT_EQ(n.video.codec.rtcp_feedback, (std::vector<std::string>{"nack", "nack pli"}));
  EXPECT_TRUE(n.video.nack);
  EXPECT_EQ(n.video.rtx_payload_type, 0);  // this listener has no RTX SSRC: RTX declined
  EXPECT_EQ(n.audio.remote_ssrc, 2718281828u);
  EXPECT_EQ(n.video.remote_ssrc, 3141592653u);  // the media SSRC, not its RTX twin
  EXPECT_EQ(n.dtls_role, DtlsRole::kClient);
  EXPECT_EQ(n.remote.ice_ufrag, "Qm7x");
  EXPECT_EQ(n.remote.ice_pwd, "v3kD9sLq2Rz8TnW1pYc6HbJf");
  EXPECT_EQ(n.remote.fingerprint, kChromeOfferFingerprint);
  EXPECT_TRUE(n.remote.candidates.empty());  // this offer was taken before gathering
  EXPECT_EQ(n.bundle_mids, (std::vector<std::string>{"0", "1"}));

  const std::string text = write_sdp(answer);
  ASSERT_EQ(answer.media.size(), 2u);
  EXPECT_EQ(answer.attributes, (std::vector<Attribute>{{"group", "BUNDLE 0 1"}}));
  EXPECT_NE(text.find("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"), std::string::npos);
  EXPECT_NE(text.find("m=video 9 UDP/TLS/RTP/SAVPF 108\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
                      "a=rtcp-fb:108 nack\r\na=rtcp-fb:108 nack pli\r\n"),
            std::string::npos);
  for (const std::string& line : std::vector<std::string>{"a=setup:active", "a=ice-ufrag:LiSt", "a=ice-pwd:listener+Password/24chr",
                                 "a=fingerprint:" + kListenerFingerprint, "a=end-of-candidates",
                                 "a=" + listener().transport.candidates[0], "a=" + listener().transport.candidates[1],
                                 "a=msid:peercall-listener audio", "a=ssrc:3233857728 msid:peercall-listener audio",
                                 "a=ssrc:3233857728 cname:listener", "a=msid:peercall-listener video"}) {
    size_t first = text.find(line + "\r\n");
    EXPECT_NE(first, std::string::npos) << line;
  }
  for (const char* forbidden : {"extmap", "rtx", "red/", "ulpfec", "useinbandfec", "ccm fir",
                                "transport-cc", "goog-remb", "trickle", "actpass", "VP8", "VP9", "4d001f"})
    EXPECT_EQ(text.find(forbidden), std::string::npos) << forbidden << " in\n" << text;
  EXPECT_EQ(via_text(answer), answer);
}

TEST(ChromeInterop, DataChannelAndExtraVideoAreRejectedOutsideTheBundle) {
  const SessionDescription offer = parse(chrome_offer_with_extras());
  auto answered = create_answer(offer, listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  const SessionDescription answer = via_text(answered->first);
  ASSERT_EQ(answer.media.size(), 4u);
  EXPECT_EQ(answer.media[0].port, 9);
  EXPECT_EQ(answer.media[1].port, 9);
  EXPECT_EQ(answer.media[2].port, 0);
  EXPECT_EQ(answer.media[2].kind, "application");
  EXPECT_EQ(answer.media[2].protocol, "UDP/DTLS/SCTP");
  EXPECT_EQ(answer.media[2].formats, std::vector<std::string>{"webrtc-datachannel"});
  EXPECT_EQ(answer.media[2].mid, "2");
  EXPECT_EQ(answer.media[3].port, 0);
  EXPECT_EQ(answer.media[3].mid, "3");
  ASSERT_EQ(answer.media[3].codecs.size(), 1u);  // a rejected m-line still lists a format
  for (int i : {2, 3}) EXPECT_TRUE(answer.media[i].other_attributes.empty()) << i;  // no transport on rejects
  EXPECT_EQ(answer.attributes, (std::vector<Attribute>{{"group", "BUNDLE 0 1"}}));
  const Negotiated& n = answered->second;
  EXPECT_EQ(n.bundle_mids, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(n.video.mid, "1");
  // The same two candidates on three m-lines: each once.
  EXPECT_EQ(n.remote.candidates,
            (std::vector<std::string>{
                "candidate:842163049 1 udp 2122260223 10.0.0.7 53210 typ host generation 0 network-id 1",
                "candidate:1510613869 1 udp 1686052607 203.0.113.9 53210 typ srflx raddr 10.0.0.7 rport 53210 "
                "generation 0 network-id 1"}));
}

TEST(ChromeInterop, ChromeAnswerGivesItsTransportAndMakesUsTheDtlsServer) {
  const SessionDescription offer = create_offer(caller());
  auto n = apply_answer(offer, parse(chrome_answer()));
  ASSERT_TRUE(n.ok()) << n.error();
  EXPECT_EQ(n->dtls_role, DtlsRole::kServer);  // Chrome answered a=setup:active
  EXPECT_FALSE(n->dtls_client());
  EXPECT_EQ(n->remote.ice_ufrag, "Zt4k");
  EXPECT_EQ(n->remote.ice_pwd, "H8nP2wQs6Lx0Vb3Mf9Ry5Tc1");
  EXPECT_EQ(n->remote.fingerprint,
            "sha-256 9E:2C:71:D4:08:B5:3A:EF:60:1D:C7:94:2B:58:F3:0A:A6:4C:E1:7D:35:92:0F:BB:C8:46:13:7E:D9:A0:5F:22");
  EXPECT_EQ(n->remote.candidates,
            (std::vector<std::string>{
                "candidate:1467250027 1 udp 2122260223 192.168.1.7 46243 typ host generation 0 network-id 1",
                "candidate:3213520395 1 udp 1686052607 203.0.113.7 46243 typ srflx raddr 192.168.1.7 rport 46243 "
                "generation 0 network-id 1",
                "candidate:435653019 1 tcp 1518280447 192.168.1.7 9 typ host tcptype active generation 0 "
                "network-id 1"}));
  EXPECT_EQ(n->bundle_mids, (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(n->audio.enabled && n->audio.send && n->audio.receive);
  EXPECT_EQ(n->audio.remote_ssrc, 1122334455u);
  EXPECT_EQ(n->video.codec.payload_type, 96);
  EXPECT_EQ(n->video.remote_ssrc, 2233445566u);  // not the RTX one

  auto passive = apply_answer(offer, parse(replace_all(chrome_answer(), "a=setup:active", "a=setup:passive")));
  ASSERT_TRUE(passive.ok()) << passive.error();
  EXPECT_EQ(passive->dtls_role, DtlsRole::kClient);
}
