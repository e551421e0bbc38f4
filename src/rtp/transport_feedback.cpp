#include "rtp/transport_feedback.hpp"

#include <algorithm>

namespace peercall {
namespace {

constexpr uint8_t kPacketTypeRtpfb = 205;
constexpr size_t kFixedBodySize = 16;  // SSRCs, base, count, reference, fb count
constexpr size_t kCommonHeaderSize = 4;
constexpr size_t kMaxStatuses = 0xffff;
constexpr size_t kMaxRunLength = 0x1fff;
constexpr size_t kOneBitVectorSymbols = 14;
constexpr size_t kTwoBitVectorSymbols = 7;

// Packet status symbols (section 3.1.1).
constexpr uint8_t kNotReceived = 0;
constexpr uint8_t kSmallDelta = 1;
constexpr uint8_t kLargeDelta = 2;
constexpr uint8_t kReservedSymbol = 3;

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Symbols and deltas (in 250 us ticks) as they go on the wire.
struct WireStatuses {
  std::vector<uint8_t> symbols;
  std::vector<int32_t> deltas;  // one per received status
  size_t delta_bytes = 0;
};

WireStatuses to_wire(const TransportFeedback& fb) {
  WireStatuses w;
  const size_t n = std::min(fb.statuses.size(), kMaxStatuses);
  w.symbols.reserve(n);
  int64_t previous_ticks = 0;  // the reference time itself
  for (size_t i = 0; i < n; ++i) {
    const auto& offset = fb.statuses[i].arrival_offset_us;
    if (!offset) {
      w.symbols.push_back(kNotReceived);
      continue;
    }
    const int64_t ticks = floor_div(*offset, kTransportFeedbackDeltaUnitUs);
    const int64_t delta = std::clamp<int64_t>(ticks - previous_ticks, INT16_MIN, INT16_MAX);
    // Continue from what the receiver of this packet will compute, so one
    // saturated delta does not shift the ones after it.
    previous_ticks += delta;
    const bool small = delta >= 0 && delta <= 0xff;
    w.symbols.push_back(small ? kSmallDelta : kLargeDelta);
    w.deltas.push_back(int32_t(delta));
    w.delta_bytes += small ? 1 : 2;
  }
  return w;
}

size_t run_length_at(const std::vector<uint8_t>& symbols, size_t i) {
  size_t run = 1;
  while (i + run < symbols.size() && run < kMaxRunLength && symbols[i + run] == symbols[i]) ++run;
  return run;
}

// Greedy chunk choice: long runs as run-length chunks, mixed stretches as
// 14-symbol one-bit vectors, or 7-symbol two-bit vectors when a large delta
// is among them.
std::vector<uint16_t> encode_chunks(const std::vector<uint8_t>& symbols) {
  std::vector<uint16_t> chunks;
  size_t i = 0;
  while (i < symbols.size()) {
    const size_t remaining = symbols.size() - i;
    const size_t run = run_length_at(symbols, i);
    const auto run_chunk = [&] {
      chunks.push_back(uint16_t(symbols[i] << 13 | run));
      i += run;
    };
    if (run >= kOneBitVectorSymbols || run == remaining) {
      run_chunk();
      continue;
    }
    const size_t window = std::min(kOneBitVectorSymbols, remaining);
    const bool has_large =
        std::find(symbols.begin() + std::ptrdiff_t(i),
                  symbols.begin() + std::ptrdiff_t(i + window), kLargeDelta) !=
        symbols.begin() + std::ptrdiff_t(i + window);
    if (!has_large) {
      uint16_t chunk = 0x8000;  // T=1, S=0
      for (size_t k = 0; k < window; ++k) {
        chunk = uint16_t(chunk | (symbols[i + k] << (kOneBitVectorSymbols - 1 - k)));
      }
      chunks.push_back(chunk);
      i += window;
    } else if (run >= kTwoBitVectorSymbols) {
      run_chunk();
    } else {
      const size_t count = std::min(kTwoBitVectorSymbols, remaining);
      uint16_t chunk = 0xc000;  // T=1, S=1
      for (size_t k = 0; k < count; ++k) {
        chunk = uint16_t(chunk | (symbols[i + k] << (2 * (kTwoBitVectorSymbols - 1 - k))));
      }
      chunks.push_back(chunk);
      i += count;
    }
  }
  return chunks;
}

size_t padded(size_t n) { return (n + 3) / 4 * 4; }

// Appends the symbols one chunk carries, never more than `count` in total.
// Returns false on a reserved symbol.
bool decode_chunk(uint16_t chunk, size_t count, std::vector<uint8_t>& symbols) {
  if (!(chunk & 0x8000)) {
    const uint8_t symbol = uint8_t(chunk >> 13 & 0x3);
    const size_t run = std::min<size_t>(chunk & 0x1fff, count - symbols.size());
    if (run > 0 && symbol == kReservedSymbol) return false;
    symbols.insert(symbols.end(), run, symbol);
    return true;
  }
  const bool two_bit = chunk & 0x4000;
  const size_t n = two_bit ? kTwoBitVectorSymbols : kOneBitVectorSymbols;
  for (size_t k = 0; k < n && symbols.size() < count; ++k) {
    const uint8_t symbol = two_bit ? uint8_t(chunk >> (2 * (n - 1 - k)) & 0x3)
                                   : uint8_t(chunk >> (n - 1 - k) & 0x1);
    if (symbol == kReservedSymbol) return false;
    symbols.push_back(symbol);
  }
  return true;
}

}  // namespace

Result<TransportFeedback> parse_transport_feedback(ByteView body) {
  ByteReader r(body);
  TransportFeedback fb;
  uint16_t count = 0;
  uint32_t reference24 = 0;
  if (!r.u32(fb.sender_ssrc) || !r.u32(fb.media_ssrc) || !r.u16(fb.base_sequence) ||
      !r.u16(count) || !r.u24(reference24) || !r.u8(fb.feedback_count)) {
    return Error{"twcc: truncated feedback"};
  }
  if (count == 0) return Error{"twcc: feedback without packet statuses"};
  // Sign-extend the 24-bit reference time.
  fb.reference_time_us = int64_t(int32_t(reference24 << 8) >> 8) * kTransportFeedbackReferenceUnitUs;

  std::vector<uint8_t> symbols;
  symbols.reserve(count);
  while (symbols.size() < count) {
    uint16_t chunk = 0;
    if (!r.u16(chunk)) return Error{"twcc: packet chunks overrun packet"};
    if (!decode_chunk(chunk, count, symbols)) return Error{"twcc: reserved status symbol"};
  }

  fb.statuses.resize(count);
  int64_t ticks = 0;
  for (size_t i = 0; i < count; ++i) {
    if (symbols[i] == kNotReceived) continue;
    if (symbols[i] == kSmallDelta) {
      uint8_t delta = 0;
      if (!r.u8(delta)) return Error{"twcc: receive deltas overrun packet"};
      ticks += delta;
    } else {
      uint16_t delta = 0;
      if (!r.u16(delta)) return Error{"twcc: receive deltas overrun packet"};
      ticks += int16_t(delta);
    }
    fb.statuses[i].arrival_offset_us = ticks * kTransportFeedbackDeltaUnitUs;
  }
  // Up to 3 bytes of zero padding may follow when the P bit was not used.
  if (r.remaining() > 3) return Error{"twcc: trailing bytes after receive deltas"};
  return fb;
}

size_t transport_feedback_size(const TransportFeedback& feedback) {
  const WireStatuses w = to_wire(feedback);
  return padded(kCommonHeaderSize + kFixedBodySize + encode_chunks(w.symbols).size() * 2 +
                w.delta_bytes);
}

void write_transport_feedback(const TransportFeedback& fb, Bytes& out) {
  const WireStatuses w = to_wire(fb);
  const std::vector<uint16_t> chunks = encode_chunks(w.symbols);
  const size_t unpadded = kCommonHeaderSize + kFixedBodySize + chunks.size() * 2 + w.delta_bytes;
  const size_t padding = padded(unpadded) - unpadded;
  ByteWriter wr(out);
  wr.u8(uint8_t(0x80 | (padding ? 0x20 : 0) | kRtcpFmtTransportFeedback));
  wr.u8(kPacketTypeRtpfb);
  wr.u16(uint16_t(padded(unpadded) / 4 - 1));
  wr.u32(fb.sender_ssrc);
  wr.u32(fb.media_ssrc);
  wr.u16(fb.base_sequence);
  wr.u16(uint16_t(w.symbols.size()));
  const int64_t reference = floor_div(fb.reference_time_us, kTransportFeedbackReferenceUnitUs);
  wr.u24(uint32_t(reference) & 0xffffff);
  wr.u8(fb.feedback_count);
  for (uint16_t chunk : chunks) wr.u16(chunk);
  size_t d = 0;
  for (uint8_t symbol : w.symbols) {
    if (symbol == kNotReceived) continue;
    const int32_t delta = w.deltas[d++];
    if (symbol == kSmallDelta) {
      wr.u8(uint8_t(delta));
    } else {
      wr.u16(uint16_t(int16_t(delta)));
    }
  }
  // RTCP padding (RFC 3550 6.4.1): zeros, the last octet counting them.
  for (size_t k = 1; k < padding; ++k) wr.u8(0);
  if (padding) wr.u8(uint8_t(padding));
}

std::vector<TransportFeedback> build_transport_feedback(
    const TransportFeedbackBuildParams& params, uint16_t first_sequence,
    std::span<const std::optional<int64_t>> arrivals_us, uint8_t& next_feedback_count) {
  std::vector<TransportFeedback> out;
  // An upper bound of the packet size: every status in a two-bit vector.
  const auto bound = [](size_t statuses, size_t delta_bytes) {
    return kCommonHeaderSize + kFixedBodySize +
           (statuses + kTwoBitVectorSymbols - 1) / kTwoBitVectorSymbols * 2 + delta_bytes + 3;
  };
  const size_t max_bytes = std::max<size_t>(params.max_packet_bytes, bound(1, 2));
  // Reference for packets with no received status: the last one used.
  int64_t reference_us = 0;
  for (const auto& a : arrivals_us) {
    if (a) {
      reference_us = floor_div(*a, kTransportFeedbackReferenceUnitUs) *
                     kTransportFeedbackReferenceUnitUs;
      break;
    }
  }
  TransportFeedback* current = nullptr;
  bool has_reference = false;
  int64_t previous_ticks = 0;
  size_t delta_bytes = 0;
  const auto start_packet = [&](size_t i) {
    TransportFeedback fb;
    fb.sender_ssrc = params.sender_ssrc;
    fb.media_ssrc = params.media_ssrc;
    fb.base_sequence = uint16_t(first_sequence + i);
    fb.feedback_count = next_feedback_count++;
    fb.reference_time_us = reference_us;
    out.push_back(std::move(fb));
    current = &out.back();
    has_reference = false;
    previous_ticks = 0;
    delta_bytes = 0;
  };
  for (size_t i = 0; i < arrivals_us.size(); ++i) {
    const auto& arrival = arrivals_us[i];
    if (!current || current->statuses.size() >= kMaxStatuses ||
        bound(current->statuses.size() + 1, delta_bytes + (arrival ? 2 : 0)) > max_bytes) {
      start_packet(i);
    }
    if (!arrival) {
      current->statuses.push_back({});
      continue;
    }
    if (!has_reference) {
      reference_us = floor_div(*arrival, kTransportFeedbackReferenceUnitUs) *
                     kTransportFeedbackReferenceUnitUs;
      current->reference_time_us = reference_us;
      has_reference = true;
    }
    int64_t offset = *arrival - current->reference_time_us;
    int64_t ticks = floor_div(offset, kTransportFeedbackDeltaUnitUs);
    if (ticks - previous_ticks < INT16_MIN || ticks - previous_ticks > INT16_MAX) {
      start_packet(i);
      reference_us = floor_div(*arrival, kTransportFeedbackReferenceUnitUs) *
                     kTransportFeedbackReferenceUnitUs;
      current->reference_time_us = reference_us;
      has_reference = true;
      offset = *arrival - reference_us;
      ticks = floor_div(offset, kTransportFeedbackDeltaUnitUs);
    }
    const int64_t delta = ticks - previous_ticks;
    previous_ticks = ticks;
    delta_bytes += (delta >= 0 && delta <= 0xff) ? 1 : 2;
    current->statuses.push_back({offset});
  }
  return out;
}

}  // namespace peercall
