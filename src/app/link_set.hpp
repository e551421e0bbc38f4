#pragma once
// Every peer a process talks to (one in a call, up to N viewers of a stream),
// on the network thread: frames fan out to all of them, one keyframe answers
// the requests of all of them, and their counters add up to totals that never
// go backwards when a peer leaves.
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "app/peer_link.hpp"

namespace peercall {

// Counters summed over links, current and gone.
struct LinkTotals {
  uint64_t bytes_out = 0, bytes_in = 0, packets_in = 0;
  int64_t packets_lost_in = 0;
  uint64_t frames_lost_in = 0, audio_too_late = 0, malformed = 0, rejected = 0;
  uint64_t nacks_sent = 0, nacks_received = 0, retransmitted = 0, recovered = 0, unrecovered = 0;
  uint64_t superseded = 0;  // sent video a keyframe made useless: dropped unsent or not resent
  uint64_t keyframe_requests_sent = 0, keyframe_requests_received = 0;
  std::optional<Duration> rtt;
  // FlexFEC and congestion control (the current links only, not summed).
  uint64_t fec_sent = 0, fec_recovered = 0;
  int bwe_kbps = 0;                 // the lowest link's estimate, 0 = none
  double pacer_delay_ms = 0;        // the longest pacer queue now
  void add(const PeerConnectionStats& s);
};

class LinkSet {
 public:
  // Forced keyframes are at most this frequent: one IDR answers every viewer
  // that asked within the interval (each would otherwise cost a big frame).
  static constexpr Duration kKeyframeInterval = milliseconds(250);

  size_t size() const { return links_.size(); }
  bool empty() const { return links_.empty(); }
  bool contains(const std::string& id) const { return links_.count(id) != 0; }
  PeerLink* find(const std::string& id);

  PeerLink& add(const std::string& id, std::unique_ptr<PeerLink> link);
  // Closes the link and forgets it once the current callback has returned.
  void remove(asio::io_context& io, const std::string& id);
  void close_all();
  void clear();

  void send_video(const EncodedFrame& frame);
  void send_audio(const EncodedFrame& frame);
  // Congestion control's video rate for one link (its TargetBitrate event).
  void set_video_target(const std::string& id, int bps);
  // The one encoding's rate for every link: the slowest link's, but not below
  // a third of the fastest, so one viewer on a bad link does not ruin the
  // picture of the others (that viewer's own pacer and loss recovery cope,
  // with more freezes; simulcast or layers would serve each at its own rate).
  // nullopt: no link has an estimate.
  std::optional<int> shared_video_bitrate() const;
  // A chat or state line to every connected peer; how many took it.
  size_t send_message(const std::string& text);
  void request_keyframes();
  // True when the encoder should make a keyframe for this request now.
  bool keyframe_due(Instant now);

  LinkTotals totals() const;

 private:
  std::map<std::string, std::unique_ptr<PeerLink>> links_;
  std::map<std::string, int> video_targets_;  // bit/s by link
  LinkTotals retired_;  // what links that are gone had counted
  std::optional<Instant> last_keyframe_;
};

}  // namespace peercall
