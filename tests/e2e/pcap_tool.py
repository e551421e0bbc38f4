#!/usr/bin/python3
"""Reads a pcap (tcpdump -w) of IPv4 UDP/TCP and answers questions the e2e
tests ask of a capture, in plain Python (no scapy):
  classify FILE              JSON: per RFC 7983 class, counts of UDP payloads,
                             and how many RTP-class payloads look like plain H.264
  grep FILE TEXT             exit 0 if TEXT occurs in any TCP or UDP payload
  replay FILE SRC DST        re-sends the capture's SRTP packets from SRC:port to
                             DST:port (raw socket, as the real peer), once as they
                             were (replays) and once with a byte flipped (tampered)
"""
import json, socket, struct, sys


def packets(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    linktype = struct.unpack(endian + 'I', data[20:24])[0]
    pos = 24
    while pos + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + 'IIII', data[pos:pos + 16])
        frame = data[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        if linktype == 1:          # Ethernet
            if frame[12:14] != b'\x08\x00':
                continue
            ip = frame[14:]
        elif linktype == 113:      # Linux cooked
            ip = frame[16:]
        elif linktype == 276:      # Linux cooked v2
            ip = frame[20:]
        else:                      # raw / loopback null
            ip = frame[4:] if linktype == 0 else frame
        if len(ip) < 20 or ip[0] >> 4 != 4:
            continue
        ihl = (ip[0] & 15) * 4
        proto = ip[9]
        src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
        body = ip[ihl:]
        if proto == 17 and len(body) >= 8:
            sp, dp = struct.unpack('>HH', body[:4])
            yield 'udp', src, sp, dst, dp, body[8:]
        elif proto == 6 and len(body) >= 20:
            sp, dp = struct.unpack('>HH', body[:4])
            off = (body[12] >> 4) * 4
            yield 'tcp', src, sp, dst, dp, body[off:]


def rfc7983(p):
    b = p[0]
    if b <= 3: return 'stun'
    if 20 <= b <= 63: return 'dtls'
    if 64 <= b <= 79: return 'turn_channel'
    if 128 <= b <= 191:
        return 'rtcp' if len(p) > 1 and 192 <= p[1] <= 223 else 'rtp'
    return 'other'


def h264_like(p):
    """A plain H.264 RTP payload starts with a NAL/FU-A/STAP-A header with the
    forbidden bit clear and a type we send (1, 5, 7, 8, 24, 28)."""
    cc = p[0] & 15
    off = 12 + 4 * cc
    if p[0] & 0x10 and len(p) >= off + 4:
        off += 4 + 4 * struct.unpack('>H', p[off + 2:off + 4])[0]
    if len(p) <= off:
        return False
    h = p[off]
    return (h & 0x80) == 0 and (h & 0x1f) in (1, 5, 7, 8, 24, 28)


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == 'classify':
        counts, video, plain = {}, 0, 0
        for proto, _, _, _, _, payload in packets(path):
            if proto != 'udp' or not payload:
                continue
            # TURN channel data wraps a datagram after a 4-byte header.
            inner = payload[4:] if rfc7983(payload) == 'turn_channel' else payload
            c = rfc7983(payload)
            counts[c] = counts.get(c, 0) + 1
            if inner and rfc7983(inner) == 'rtp' and (inner[1] & 0x7f) == 96:
                video += 1
                plain += h264_like(inner)
        counts['video_rtp'] = video
        counts['video_rtp_h264_like'] = plain
        print(json.dumps(counts))
    elif cmd == 'grep':
        text = sys.argv[3].encode()
        sys.exit(0 if any(text in p for *_, p in packets(path)) else 1)
    elif cmd == 'replay':
        src, dst = sys.argv[3], sys.argv[4]
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        sent = 0
        for proto, a, sp, b, dp, payload in packets(path):
            if proto != 'udp' or a != src or b != dst or rfc7983(payload) not in ('rtp', 'rtcp'):
                continue
            for variant in (payload, payload[:-1] + bytes([payload[-1] ^ 1])):
                udp = struct.pack('>HHHH', sp, dp, 8 + len(variant), 0) + variant
                ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                                 socket.inet_aton(a), socket.inet_aton(b))
                s.sendto(ip + udp, (b, 0))
                sent += 1
        print(sent)
    else:
        sys.exit('usage: pcap_tool.py classify|grep|replay FILE ...')


if __name__ == '__main__':
    main()
