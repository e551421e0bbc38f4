#include "packet/h264_depacketizer.hpp"

#include <algorithm>
#include <utility>

#include "core/result.hpp"
#include "packet/h264_nal.hpp"

namespace peercall {
namespace {

// Unwrapped seqs beyond this are nonsense; rejecting them keeps seq +- 1 and
// window arithmetic far from overflow.
constexpr int64_t kSeqLimit = int64_t{1} << 62;

struct PayloadInfo {
  bool can_start;  // single NAL, STAP-A or FU-A start
  // Starts a picture: no slice, or the first slice of one (first_mb_in_slice
  // is 0: its Exp-Golomb code is the single bit 1). A later slice of a
  // multi-slice picture can start a packet but not a frame: after a gap,
  // taking it for the start would hand out a picture missing its top.
  bool starts_picture;
};

bool is_slice(H264NalType type) { return type == H264NalType::kIdr || type == H264NalType::kSlice; }
// `after_header`: the byte after the NAL header, where the slice header begins.
bool first_slice(ByteView after_header) { return !after_header.empty() && (after_header[0] & 0x80) != 0; }

// Structural check of one payload, so that assembly later needs no more checks.
Result<PayloadInfo> inspect_payload(ByteView payload) {
  ByteReader r(payload);
  uint8_t header = 0;
  if (!r.u8(header)) return Error{"h264: empty payload"};
  const H264NalType type = h264_nal_type(header);
  if (h264_is_plain_nal(type)) return PayloadInfo{true, !is_slice(type) || first_slice(payload.subspan(1))};
  if (type == H264NalType::kStapA) {
    if (r.remaining() == 0) return Error{"h264: empty STAP-A"};
    bool starts = true, slice_seen = false;
    while (r.remaining() > 0) {
      uint16_t size = 0;
      ByteView nal;
      if (!r.u16(size) || !r.take(size, nal)) return Error{"h264: STAP-A length overrun"};
      if (size == 0 || !h264_is_plain_nal(h264_nal_type(nal[0]))) {
        return Error{"h264: bad STAP-A unit"};
      }
      if (!slice_seen && is_slice(h264_nal_type(nal[0]))) {
        slice_seen = true;
        starts = first_slice(nal.subspan(1));
      }
    }
    return PayloadInfo{true, starts};
  }
  if (type == H264NalType::kFuA) {
    uint8_t fu = 0;
    if (!r.u8(fu) || r.remaining() == 0) return Error{"h264: FU-A too short"};
    // RFC 6184 5.8: one FU must not carry a whole NAL unit.
    if ((fu & kH264FuStart) && (fu & kH264FuEnd)) return Error{"h264: FU-A start and end"};
    if (!h264_is_plain_nal(h264_nal_type(fu))) return Error{"h264: bad FU-A type"};
    const bool start = (fu & kH264FuStart) != 0;
    return PayloadInfo{start, start && (!is_slice(h264_nal_type(fu)) || first_slice(payload.subspan(2)))};
  }
  return Error{"h264: unsupported payload type"};  // 0, STAP-B, MTAP16/24, FU-B, 30, 31
}

// Rebuilds Annex B from one frame's (already inspected) payloads in seq order,
// checking that FU-A fragments nest: start, middles of the same type, end.
class AnnexBBuilder {
 public:
  bool add(ByteView payload) {
    const uint8_t header = payload[0];
    const H264NalType type = h264_nal_type(header);
    if (type == H264NalType::kFuA) return add_fragment(header, payload[1], payload.subspan(2));
    if (open_fu_type_) return false;  // an FU-A was interrupted
    if (type != H264NalType::kStapA) {
      add_nal(payload);
      return true;
    }
    ByteReader r(payload.subspan(1));
    uint16_t size = 0;
    ByteView nal;
    while (r.u16(size) && r.take(size, nal)) add_nal(nal);
    return true;
  }
  bool finished() const { return !open_fu_type_; }
  bool has_idr() const { return has_idr_; }
  Bytes take() { return std::move(out_); }

 private:
  bool add_fragment(uint8_t indicator, uint8_t fu, ByteView data) {
    const uint8_t type = fu & kH264TypeMask;
    if (fu & kH264FuStart) {
      if (open_fu_type_) return false;
      open_fu_type_ = type;
      const uint8_t nal_header = (indicator & (kH264ForbiddenBit | kH264NriMask)) | type;
      add_nal(ByteView(&nal_header, 1));
    } else if (open_fu_type_ != type) {
      return false;  // middle/end without its start, or of another NAL
    }
    out_.insert(out_.end(), data.begin(), data.end());
    if (fu & kH264FuEnd) open_fu_type_.reset();
    return true;
  }
  void add_nal(ByteView nal) {
    has_idr_ = has_idr_ || h264_nal_type(nal[0]) == H264NalType::kIdr;
    append_annexb_nal(out_, nal);
  }

  Bytes out_;
  std::optional<uint8_t> open_fu_type_;
  bool has_idr_ = false;
};

}  // namespace

void H264Depacketizer::push(int64_t seq, uint32_t rtp_timestamp, bool marker, ByteView payload,
                            Instant arrival) {
  const auto info = inspect_payload(payload);
  if (!info || seq <= -kSeqLimit || seq >= kSeqLimit) {
    ++stats_.packets_malformed;
    return;
  }
  if (floor_ && seq < *floor_) {
    ++(seen_recently(seq) ? stats_.packets_duplicate : stats_.packets_too_late);
    return;
  }
  if (packets_.contains(seq)) {
    ++stats_.packets_duplicate;
    return;
  }
  now_ = std::max(now_, arrival);
  if (!first_arrival_) first_arrival_ = arrival;
  packets_.emplace(seq, Packet{rtp_timestamp, marker, info->can_start, info->starts_picture, arrival,
                               Bytes(payload.begin(), payload.end())});
  if (packets_.size() > kMaxBufferedPackets) drop_oldest_frame();
  assemble();
}

void H264Depacketizer::push_padding(int64_t seq, uint32_t rtp_timestamp, Instant arrival) {
  if (seq <= -kSeqLimit || seq >= kSeqLimit) return;
  if ((floor_ && seq < *floor_) || packets_.contains(seq)) return;  // late or twice: nothing to fill
  now_ = std::max(now_, arrival);
  // A marker that starts a picture where a frame may begin (at the floor), never a frame itself.
  packets_.emplace(seq, Packet{rtp_timestamp, true, false, true, arrival, {}, true});
  if (packets_.size() > kMaxBufferedPackets) drop_oldest_frame();
  assemble();
}

std::optional<H264AccessUnit> H264Depacketizer::pop_frame() {
  if (ready_.empty()) return std::nullopt;
  H264AccessUnit au = std::move(ready_.front());
  ready_.pop_front();
  return au;
}

std::optional<Instant> H264Depacketizer::next_timeout() const {
  std::optional<Instant> next = wait_deadline_;
  if (!got_first_keyframe_ && first_arrival_ && max_wait_ > Duration::zero() &&
      now_ < *first_arrival_ + max_wait_) {
    const Instant join = *first_arrival_ + max_wait_;  // when a missing first keyframe is asked for
    next = next ? std::min(*next, join) : join;
  }
  return next;
}

bool H264Depacketizer::take_keyframe_request() {
  const bool joining =
      !got_first_keyframe_ &&
      (max_wait_ <= Duration::zero() || stats_.frames_dropped_waiting_keyframe > 0 ||
       (first_arrival_ && now_ >= *first_arrival_ + max_wait_));
  const bool request = keyframe_request_ || joining;
  keyframe_request_ = false;
  return request;
}

void H264Depacketizer::give_up_before(int64_t seq) {
  if (!floor_ || seq <= *floor_) return;  // nothing below is pending
  consume_until(seq);
  synced_ = false;  // `seq` may be any packet of a frame
  wait_deadline_.reset();
  on_loss(1);
  assemble();
}

void H264Depacketizer::handle_timeout(Instant now) {
  now_ = std::max(now_, now);
  assemble();
}

void H264Depacketizer::assemble() {
  wait_deadline_.reset();
  while (const auto frame = find_complete_frame()) {
    if (synced_ && frame->first > *floor_) {
      // An older frame is missing packets.
      if (!may_give_up(*frame)) {
        // A whole keyframe beyond the gap needs nothing before it: jump there
        // (it may come before `frame`, which then follows it).
        if (const auto key = find_complete_keyframe(); key && key->first > *floor_) {
          ++stats_.skipped_to_keyframe;
          waited_ = false;
          wait_deadline_.reset();
          on_loss(std::max<size_t>(1, consume_until(key->first)));
          continue;
        }
        waited_ = true;
        return;
      }
      waited_ = false;
      on_loss(std::max<size_t>(1, consume_until(frame->first)));
    } else if (!synced_) {
      // Packets before the first complete frame: from before we joined (not a
      // loss), or the first frame missing a packet; the latter is worth a wait.
      if (first_frame_may_be_repaired(*frame)) {
        waited_ = true;
        return;
      }
      consume_until(frame->first);
    }
    emit(*frame);
  }
}

// Whether the frame(s) before `blocked` (complete, beyond a gap) may be given
// up now. Without a wait: once a packet newer than `blocked` arrived (a
// straggler of reordering would have come by then). With one: when the wait
// since the gap showed is over, or at once when `blocked` is a keyframe.
bool H264Depacketizer::may_give_up(Span blocked) {
  if (max_wait_ <= Duration::zero()) return packets_.rbegin()->first > blocked.last;
  // A complete keyframe needs nothing before it: jump the gap at once, also
  // when the frames before it could still be repaired (latency beats
  // smoothness; a keyframe beyond a gap was usually asked for because of it).
  if (starts_keyframe(blocked)) {
    ++stats_.skipped_to_keyframe;
    return true;
  }
  const auto seen = gap_seen(*floor_);
  if (seen && now_ < *seen + max_wait_) {
    wait_deadline_ = *seen + max_wait_;
    return false;
  }
  return true;
}

// Before the first frame was handed out, `blocked` (complete, not a keyframe:
// that one would be taken at once) has older packets before it. If the oldest
// can start a frame, the stream was probably joined at its start and lost a
// packet of its first frame: wait for it as for any gap.
bool H264Depacketizer::first_frame_may_be_repaired(Span blocked) {
  if (max_wait_ <= Duration::zero() || packets_.begin()->first >= blocked.first) return false;
  if (!packets_.begin()->second.can_start || starts_keyframe(blocked)) return false;
  const auto seen = gap_seen(packets_.begin()->first);
  if (!seen || now_ >= *seen + max_wait_) return false;
  wait_deadline_ = *seen + max_wait_;
  return true;
}

// When the first missing packet at or after `from` could first be known to be
// missing: the earliest arrival of any packet after it.
std::optional<Instant> H264Depacketizer::gap_seen(int64_t from) const {
  int64_t expected = from;
  auto it = packets_.lower_bound(expected);
  while (it != packets_.end() && it->first == expected) {
    ++it;
    ++expected;
  }
  std::optional<Instant> seen;
  for (; it != packets_.end(); ++it)
    if (!seen || it->second.arrival < *seen) seen = it->second.arrival;
  return seen;
}

// Whether the payload's first NAL unit is an SPS (alone or first in a STAP-A).
bool H264Depacketizer::begins_with_sps(const Bytes& p) {
  const H264NalType type = h264_nal_type(p[0]);
  if (type == H264NalType::kStapA) return p.size() > 3 && h264_nal_type(p[3]) == H264NalType::kSps;
  return type == H264NalType::kSps;
}

// Whether a packet of the frame carries an IDR slice (alone, in a STAP-A or
// as FU-A fragments). Payloads were inspected on push, so sizes are sound.
bool H264Depacketizer::starts_keyframe(Span frame) const {
  const auto end = packets_.upper_bound(frame.last);
  for (auto it = packets_.find(frame.first); it != end; ++it) {
    const Bytes& p = it->second.payload;
    if (it->second.padding) continue;
    const H264NalType type = h264_nal_type(p[0]);
    if (type == H264NalType::kIdr) return true;
    if (type == H264NalType::kFuA && h264_nal_type(p[1]) == H264NalType::kIdr) return true;
    if (type == H264NalType::kStapA) {
      ByteReader r(ByteView(p).subspan(1));
      uint16_t size = 0;
      ByteView nal;
      while (r.u16(size) && r.take(size, nal))
        if (h264_nal_type(nal[0]) == H264NalType::kIdr) return true;
    }
  }
  return false;
}

// The oldest buffered frame whose packets from its first to its marker are all
// present. A first packet is known to start the frame when it follows the
// previous frame's marker (seq or packet), or a packet of another timestamp;
// before the first frame (or after a resync) any packet that can start a
// frame is taken as the start.
std::optional<H264Depacketizer::Span> H264Depacketizer::find_complete_frame(bool keyframe_only) const {
  const Packet* prev = nullptr;
  int64_t prev_seq = 0;
  int64_t run_first = 0;
  bool run_has_start = false;
  for (const auto& [seq, packet] : packets_) {
    const bool adjacent = prev && prev_seq + 1 == seq;
    // Padding is a span of its own: it ends what came before (unfinished,
    // if no marker did) and holds no picture.
    if (!adjacent || prev->marker || prev->timestamp != packet.timestamp || packet.padding) {
      run_first = seq;
      // After a gap (or at the floor, where a given-up frame ended) the
      // packet must start a picture: the gap may have held this frame's top.
      // A keyframe is sought beyond any gap too, from a packet that begins
      // with its SPS: the head of an access unit, so the gap cannot hold a
      // part of it (a slice start could be preceded by its own reordered SPS).
      run_has_start = adjacent || (packet.starts_picture && ((synced_ && seq == *floor_) || (!synced_ && packet.can_start) ||
                                                             (keyframe_only && !packet.padding && begins_with_sps(packet.payload))));
    }
    if (packet.marker && run_has_start && (!keyframe_only || starts_keyframe(Span{run_first, seq})))
      return Span{run_first, seq};
    prev = &packet;
    prev_seq = seq;
  }
  return std::nullopt;
}

void H264Depacketizer::emit(Span frame) {
  if (packets_.at(frame.first).padding) {  // a span of padding alone: its place is filled
    consume_until(frame.last + 1);
    synced_ = true;
    return;
  }
  const bool waited = std::exchange(waited_, false);
  AnnexBBuilder builder;
  H264AccessUnit au;
  au.first_seq = frame.first;
  au.last_seq = frame.last;
  bool consistent = true;
  const auto end = packets_.upper_bound(frame.last);
  for (auto it = packets_.find(frame.first); it != end; ++it) {
    const Packet& packet = it->second;
    if (packet.padding) continue;  // never inside a frame's span (see find_complete_frame)
    consistent = consistent && builder.add(packet.payload);
    if (it->first == frame.first || packet.arrival < au.first_packet_arrival) {
      au.first_packet_arrival = packet.arrival;
    }
    au.rtp_timestamp = packet.timestamp;
  }
  consistent = consistent && builder.finished();
  consume_until(frame.last + 1);
  synced_ = true;
  if (!consistent) {
    on_loss(1);
    return;
  }
  au.keyframe = builder.has_idr();
  au.annexb = builder.take();
  // The decoder lacks references after a loss: only a keyframe helps.
  if (waiting_keyframe_ && !au.keyframe) {
    ++stats_.frames_dropped_waiting_keyframe;
    return;
  }
  if (ready_.size() >= kMaxReadyFrames) {
    // Nobody is popping; the frame given up breaks the reference chain.
    ready_.pop_front();
    on_loss(1);
    if (!au.keyframe) {
      ++stats_.frames_dropped_waiting_keyframe;
      return;
    }
  }
  if (au.keyframe) {
    waiting_keyframe_ = false;
    got_first_keyframe_ = true;
    keyframe_request_ = false;
  }
  if (waited) ++stats_.frames_waited;
  ready_.push_back(std::move(au));
  ++stats_.frames_complete;
}

void H264Depacketizer::drop_oldest_frame() {
  // Memory cap: give up on the oldest frame, i.e. the lowest packet and those
  // following it with its timestamp, up to a marker.
  auto it = packets_.begin();
  const uint32_t timestamp = it->second.timestamp;
  int64_t last = it->first;
  bool marker = false;
  for (; it != packets_.end() && it->second.timestamp == timestamp && !marker; ++it) {
    last = it->first;
    marker = it->second.marker;
  }
  consume_until(last + 1);
  synced_ = marker;  // without its marker the next frame's start is unknown: resync
  on_loss(1);
}

// Drops every buffered packet below `seq`, remembering their seqs, and raises
// floor_ to `seq`. Returns how many frames the dropped packets belonged to.
size_t H264Depacketizer::consume_until(int64_t seq) {
  const int64_t window_start = seq - static_cast<int64_t>(kHistory);
  const int64_t clear_from = floor_ ? std::max(*floor_, window_start) : window_start;
  for (int64_t s = clear_from; s < seq; ++s) consumed_.reset(history_index(s));
  size_t frames = 0;
  bool new_frame = true;
  uint32_t timestamp = 0;
  while (!packets_.empty() && packets_.begin()->first < seq) {
    const auto it = packets_.begin();
    if (new_frame || it->second.timestamp != timestamp) ++frames;
    new_frame = it->second.marker;
    timestamp = it->second.timestamp;
    if (it->first >= window_start) consumed_.set(history_index(it->first));
    packets_.erase(it);
  }
  floor_ = floor_ ? std::max(*floor_, seq) : seq;
  return frames;
}

void H264Depacketizer::on_loss(uint64_t frames) {
  stats_.frames_lost += frames;
  waiting_keyframe_ = true;
  keyframe_request_ = true;
}

bool H264Depacketizer::seen_recently(int64_t seq) const {
  return floor_ && seq < *floor_ && seq >= *floor_ - static_cast<int64_t>(kHistory) &&
         consumed_.test(history_index(seq));
}

}  // namespace peercall
