// The real check: headless Chromium accepts our offer (and creates the remote
// tracks inside our stream), and our answer to its offer. No media flows: the
// page only sets descriptions; UDP is disabled (--force-webrtc-ip-handling-policy)
// and every candidate is on loopback. Skipped when chromium is not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "sdp/offer_answer.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"
#include "sdp_test_peers.hpp"

using namespace peercall;

namespace {

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  pclose(pipe);
  return out;
}

// A JS string literal for `s` (SDP holds no quotes or backslashes, only CRLF).
std::string js_string(const std::string& s) {
  return "'" + test::replace_all(test::replace_all(s, "\r", "\\r"), "\n", "\\n") + "'";
}

// Runs `body` (async JS that sets `out.textContent`) in headless Chromium once; returns the text.
std::string in_chromium_once(const std::string& body) {
  const auto dir = std::filesystem::temp_directory_path() / ("peercall_sdp_browser_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "p.html")
      << "<html><body><pre id=out>pending</pre><script>const out=document.getElementById('out');let L='';"
         "function log(s){L+=s+'\\n';}(async()=>{try{"
      << body << "}catch(e){out.textContent='ERR '+e;}})();</script></body></html>";
  const std::string dom = run(
      "timeout 60 chromium --headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
      "--disable-component-update --disable-sync --no-pings --disable-domain-reliability "
      "--disable-features=WebRtcHideLocalIpsWithMdns --force-webrtc-ip-handling-policy=disable_non_proxied_udp "
      "--virtual-time-budget=15000 --dump-dom --user-data-dir=" +
      (dir / "profile").string() + " file://" + (dir / "p.html").string() + " 2>/dev/null");
  std::filesystem::remove_all(dir);
  const size_t start = dom.find("<pre id=\"out\">");
  const size_t end = dom.find("</pre>");
  if (start == std::string::npos || end == std::string::npos) return "no page: " + dom;
  std::string text = dom.substr(start + 14, end - start - 14);
  return test::replace_all(test::replace_all(text, "&lt;", "<"), "&gt;", ">");
}

// --dump-dom fires when the virtual time budget is spent, and WebRTC's promises
// resolve on real threads: on a loaded machine the page may not have finished
// ("pending"). Such a run says nothing about the SDP, so it is retried.
std::string in_chromium(const std::string& body) {
  std::string text;
  for (int attempt = 0; attempt < 4; ++attempt) {
    text = in_chromium_once(body);
    if (text != "pending") break;
  }
  return text;
}

LocalMediaConfig loopback_local() {
  LocalMediaConfig local = test::listener();
  local.transport.candidates = {"candidate:1 1 udp 2130706431 127.0.0.1 9 typ host"};
  return local;
}

const char* kTrackLogger = "pc.ontrack=e=>log('track '+e.track.kind+' '+e.streams.map(s=>s.id).join(','));";
const char* kBrowserOffer =
    "const pc=new RTCPeerConnection();pc.addTransceiver('audio',{direction:'sendrecv'});"
    "pc.addTransceiver('video',{direction:'sendrecv'});const o=await pc.createOffer();";

bool have_chromium() { return !run("command -v chromium").empty(); }

}  // namespace

TEST(BrowserSdp, ChromiumAcceptsOurOfferAndWeAcceptItsAnswer) {
  if (!have_chromium()) GTEST_SKIP() << "chromium not installed";
  const SessionDescription offer = create_offer(loopback_local());
  const std::string page = in_chromium(std::string("const pc=new RTCPeerConnection();") + kTrackLogger +
                                       "await pc.setRemoteDescription({type:'offer',sdp:" +
                                       js_string(write_sdp(offer)) +
                                       "});const a=await pc.createAnswer();out.textContent='OK\\n'+L+a.sdp;pc.close();");
  ASSERT_TRUE(page.starts_with("OK\n")) << page;
  EXPECT_NE(page.find("track audio peercall-listener\n"), std::string::npos) << page;
  EXPECT_NE(page.find("track video peercall-listener\n"), std::string::npos) << page;
  auto answer = parse_sdp(page.substr(page.find("v=0")));
  ASSERT_TRUE(answer.ok()) << answer.error();
  auto n = apply_answer(offer, *answer);
  ASSERT_TRUE(n.ok()) << n.error() << "\n" << page;
  EXPECT_EQ(n->dtls_role, DtlsRole::kServer);  // Chromium answers a=setup:active
  EXPECT_TRUE(n->remote.fingerprint.starts_with("sha-256 "));
  EXPECT_EQ(n->video.codec.payload_type, kH264PayloadType);
  EXPECT_EQ(n->bundle_mids, (std::vector<std::string>{"0", "1"}));
}

TEST(BrowserSdp, ChromiumAcceptsOurAnswerToItsOffer) {
  if (!have_chromium()) GTEST_SKIP() << "chromium not installed";
  // Chromium's offer for a fixed set of transceivers is the same each time but for
  // its credentials, so the answer to one offer fits a second page's offer.
  const std::string offer_page = in_chromium(std::string(kBrowserOffer) + "out.textContent='OK\\n'+o.sdp;pc.close();");
  ASSERT_TRUE(offer_page.starts_with("OK\n")) << offer_page;
  auto offer = parse_sdp(offer_page.substr(offer_page.find("v=0")));
  ASSERT_TRUE(offer.ok()) << offer.error();
  auto answered = create_answer(*offer, loopback_local());
  ASSERT_TRUE(answered.ok()) << answered.error() << "\n" << offer_page;
  EXPECT_EQ(h264_profile_class(answered->second.video.codec.fmtp), H264ProfileClass::kConstrainedBaseline);

  const std::string page = in_chromium(
      std::string(kBrowserOffer) + kTrackLogger + "await pc.setLocalDescription(o);" +
      "await pc.setRemoteDescription({type:'answer',sdp:" + js_string(write_sdp(answered->first)) + "});" +
      "for(const t of pc.getTransceivers())log('mid '+t.mid+' '+t.currentDirection+' '+"
      "t.sender.getParameters().codecs.map(c=>c.mimeType+' '+c.payloadType).join(','));"
      "out.textContent='OK '+pc.signalingState+'\\n'+L;pc.close();");
  ASSERT_TRUE(page.starts_with("OK stable\n")) << page;
  EXPECT_NE(page.find("track audio peercall-listener\n"), std::string::npos) << page;
  EXPECT_NE(page.find("mid 0 sendrecv audio/opus 111\n"), std::string::npos) << page;
  EXPECT_NE(page.find("mid 1 sendrecv video/H264 " +
                      std::to_string(answered->second.video.codec.payload_type) + "\n"),
            std::string::npos)
      << page;
}
