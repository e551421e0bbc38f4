#pragma once
// FlexFEC repair packets (RFC 8627): the FEC header that follows the repair
// packet's RTP header, parsed from untrusted bytes and written for sending.
//
//  byte 0..7, R=0 (both FEC variants):
//   |R|F|P|X|  CC   |M| PT recovery |        length recovery        |
//   |                          TS recovery                          |
//  then per protected SSRC (CSRC_i of the repair packet's RTP header, in order):
//   F=0 flexible mask (section 4.2.2.1):
//   |           SN base_i           |k|          Mask [0-14]        |
//   |k|                   Mask [15-45] (optional)                   |
//   |                     Mask [46-109] (optional, 64 bits)         |
//   F=1 fixed L/D (section 4.2.2.2):
//   |           SN base_i           |  L (columns)  |    D (rows)   |
//  R=1, F=0 retransmission (section 4.2.2.3):
//   |1|0|P|X|  CC   |M| PT recovery |        sequence number        |
//   |                           timestamp                           |
//   |                             SSRC                              |
//  R=1, F=1 is reserved and must be ignored.
//
// A k bit of 1 means another mask part follows, 0 that the mask ends there, so
// a mask names 15, 46 or 110 packets; mask bit i (most significant first)
// protects sequence number SN base + i.
#include <bitset>
#include <cstdint>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "rtp/rtp_packet.hpp"

namespace peercall {

inline constexpr size_t kFlexFecRecoveryFieldsSize = 8;  // P..PT, length and TS recovery
inline constexpr size_t kFlexFecMaxMaskBits = 110;
inline constexpr size_t kFlexFecMaskSizes[] = {15, 46, 110};  // bits for 0, 1, 2 k bits set

enum class FlexFecVariant { kFlexibleMask, kFixedColumnsRows, kRetransmission };

// Which packets of one protected SSRC a repair packet covers (flexible mask).
struct FlexFecMask {
  uint16_t sn_base = 0;
  std::bitset<kFlexFecMaxMaskBits> bits;  // bit i: SN base + i is protected
  // 15, 46 or 110: the size on the wire. Writing uses the smallest size that
  // holds every set bit if this one is too small.
  size_t size_bits = 15;
};

// F=1: L columns and D rows from SN base (section 4.2.2.2). D <= 1 protects L
// consecutive packets (a row), D > 1 protects D packets L apart (a column).
struct FlexFecColumnsRows {
  uint16_t sn_base = 0;
  uint8_t columns = 0;  // L, never 0 once parsed
  uint8_t rows = 0;     // D
};

struct FlexFecHeader {
  FlexFecVariant variant = FlexFecVariant::kFlexibleMask;
  // The recovery fields: the XOR over the protected packets of those RTP
  // header bits (for R=1, the retransmitted packet's own fields).
  bool padding = false;
  bool extension = false;
  uint8_t csrc_count = 0;  // 4 bits
  bool marker = false;
  uint8_t payload_type = 0;       // 7 bits
  uint16_t length_recovery = 0;   // XOR of (packet length - 12)
  uint32_t ts_recovery = 0;       // XOR of timestamps
  std::vector<FlexFecMask> masks;              // kFlexibleMask: one per CSRC
  std::vector<FlexFecColumnsRows> columns_rows;  // kFixedColumnsRows: one per CSRC
  // kRetransmission only.
  uint16_t sequence_number = 0;
  uint32_t ssrc = 0;

  // Bytes this header takes on the wire.
  size_t size() const;
};

struct FlexFecPacketView {
  RtpHeader rtp;           // the repair packet's own RTP header
  FlexFecHeader fec;
  ByteView repair_payload;  // views into the parsed datagram
};

// Parses the FEC header of an already parsed RTP packet. For R=0 the number of
// mask (or L/D) blocks is the repair packet's CSRC count, which must be 1..15.
// Every length is checked against the bytes present; reserved R=1,F=1 and L=0
// are Errors.
Result<FlexFecPacketView> parse_flexfec(const RtpPacketView& rtp);

// Convenience: parse_rtp then parse_flexfec.
Result<FlexFecPacketView> parse_flexfec_datagram(ByteView datagram);

// Appends the FEC header. For R=0 the caller writes masks (or columns_rows)
// in the order of the repair packet's CSRC list.
void write_flexfec_header(const FlexFecHeader& header, Bytes& out);

// Sequence numbers a flexible mask or an L/D block protects, lowest first.
std::vector<uint16_t> protected_sequence_numbers(const FlexFecMask& mask);
std::vector<uint16_t> protected_sequence_numbers(const FlexFecColumnsRows& block);

}  // namespace peercall
