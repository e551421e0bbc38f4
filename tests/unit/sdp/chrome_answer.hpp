#pragma once
// An answer in the shape Chrome writes to peercall's offer (audio Opus 111,
// video H264 96, BUNDLE 0 1) once ICE gathering is complete: the same candidates,
// ICE credentials and fingerprint on both bundled m-lines, a=setup:active, a host
// and a server-reflexive UDP candidate and a TCP one, RTX for video (an SSRC
// group; no RTX payload type since we offered none). Values are made up.
#include <string>
#include <string_view>

namespace peercall::test {

inline constexpr std::string_view kChromeAnswerLf = R"(v=0
o=- 4611731400430051336 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1
a=extmap-allow-mixed
a=msid-semantic: WMS 2b7c9e41-0d3f-4a8b-9c6e-5f1a2d3b4c5d
m=audio 9 UDP/TLS/RTP/SAVPF 111
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:1467250027 1 udp 2122260223 192.168.1.7 46243 typ host generation 0 network-id 1
a=candidate:3213520395 1 udp 1686052607 203.0.113.7 46243 typ srflx raddr 192.168.1.7 rport 46243 generation 0 network-id 1
a=candidate:435653019 1 tcp 1518280447 192.168.1.7 9 typ host tcptype active generation 0 network-id 1
a=ice-ufrag:Zt4k
a=ice-pwd:H8nP2wQs6Lx0Vb3Mf9Ry5Tc1
a=ice-options:trickle
a=fingerprint:sha-256 9E:2C:71:D4:08:B5:3A:EF:60:1D:C7:94:2B:58:F3:0A:A6:4C:E1:7D:35:92:0F:BB:C8:46:13:7E:D9:A0:5F:22
a=setup:active
a=mid:0
a=sendrecv
a=msid:2b7c9e41-0d3f-4a8b-9c6e-5f1a2d3b4c5d 6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d
a=rtcp-mux
a=rtpmap:111 opus/48000/2
a=fmtp:111 minptime=10;useinbandfec=1
a=ssrc:1122334455 cname:Hd8sK2mQ4vXp7LwZ
m=video 9 UDP/TLS/RTP/SAVPF 96
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:1467250027 1 udp 2122260223 192.168.1.7 46243 typ host generation 0 network-id 1
a=candidate:3213520395 1 udp 1686052607 203.0.113.7 46243 typ srflx raddr 192.168.1.7 rport 46243 generation 0 network-id 1
a=candidate:435653019 1 tcp 1518280447 192.168.1.7 9 typ host tcptype active generation 0 network-id 1
a=ice-ufrag:Zt4k
a=ice-pwd:H8nP2wQs6Lx0Vb3Mf9Ry5Tc1
a=ice-options:trickle
a=fingerprint:sha-256 9E:2C:71:D4:08:B5:3A:EF:60:1D:C7:94:2B:58:F3:0A:A6:4C:E1:7D:35:92:0F:BB:C8:46:13:7E:D9:A0:5F:22
a=setup:active
a=mid:1
a=sendrecv
a=msid:2b7c9e41-0d3f-4a8b-9c6e-5f1a2d3b4c5d 0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0
a=rtcp-mux
a=rtpmap:96 H264/90000
a=rtcp-fb:96 nack pli
a=fmtp:96 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
a=ssrc-group:FID 2233445566 3344556677
a=ssrc:2233445566 cname:Hd8sK2mQ4vXp7LwZ
a=ssrc:3344556677 cname:Hd8sK2mQ4vXp7LwZ
)";

// Chrome sends CRLF line ends.
inline std::string chrome_answer() {
  std::string out;
  for (char c : kChromeAnswerLf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace peercall::test
