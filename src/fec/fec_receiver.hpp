#pragma once
// Receiver side of FlexFEC (RFC 8627 section 6.3): keeps the recent media
// packets of the protected stream and the repair packets of its FEC stream,
// and whenever a repair packet's protected set misses exactly one packet,
// rebuilds that packet byte for byte (header fields from the recovery fields,
// the rest by XOR). A rebuilt packet counts as received, so it may complete
// another repair packet's set in turn. Memory is bounded by sequence distance
// and counts; malformed repair packets are counted and ignored. Sans-I/O.
#include <cstdint>
#include <list>
#include <map>
#include <vector>

#include "core/bytes.hpp"
#include "fec/flexfec_packet.hpp"
#include "rtp/sequence_unwrapper.hpp"

namespace peercall {

struct FecReceiverConfig {
  uint32_t media_ssrc = 0;  // the protected stream (FEC-FR group's first SSRC)
  uint32_t fec_ssrc = 0;    // the repair stream
  size_t max_sequence_age = 512;  // media sequence numbers kept behind the newest
  size_t max_media_packets = 512;
  size_t max_fec_packets = 128;
};

struct FecReceiverStats {
  uint64_t media_packets = 0;          // accepted (new, on the media SSRC)
  uint64_t fec_packets_received = 0;   // repair packets accepted
  uint64_t bad_fec_packets = 0;        // malformed, wrong stream, or inconsistent on use
  uint64_t packets_recovered = 0;
  // Repair packets that expired while two or more of their packets were still
  // missing: losses FEC could not repair (NACK/RTX has to).
  uint64_t unrecoverable = 0;
};

class FecReceiver {
 public:
  explicit FecReceiver(const FecReceiverConfig& config);

  // A packet of the media stream (plain RTP after SRTP; RTX-unwrapped ones
  // too). Returns packets this arrival made recoverable, oldest first; never
  // the packet itself. Duplicates and other SSRCs are ignored.
  std::vector<Bytes> on_media_packet(ByteView packet);

  // A packet of the FEC stream. Returns the packets it recovered (possibly
  // several, by iteration).
  std::vector<Bytes> on_fec_packet(ByteView packet);

  const FecReceiverStats& stats() const { return stats_; }
  size_t stored_media_packets() const { return media_.size(); }
  size_t stored_fec_packets() const { return fec_.size(); }

 private:
  struct PendingRepair {
    FlexFecHeader header;
    Bytes repair_payload;
    std::vector<int64_t> protected_sequences;  // unwrapped, ascending
  };

  int64_t unwrap_nearest(uint16_t sequence);
  bool store_media(int64_t sequence, Bytes packet);
  void expire();
  void recover(std::vector<Bytes>& out);
  Result<Bytes> rebuild(const PendingRepair& repair, int64_t missing) const;

  FecReceiverConfig config_;
  SequenceUnwrapper unwrapper_;
  int64_t newest_ = 0;
  std::map<int64_t, Bytes> media_;
  std::list<PendingRepair> fec_;
  FecReceiverStats stats_;
};

}  // namespace peercall
