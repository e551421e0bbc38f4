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
#include "fanout/layer_forwarder.hpp"
#include "fanout/layer_plan.hpp"

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
  double standing_queue_ms = 0;     // the worst link's queue on the path, as its feedback shows it
  // Summed, current and gone: collapses that paused the video while the link's queue drained.
  uint64_t video_pauses = 0;
  // Simulcast (the links now): encodings in use, viewers on the second one.
  int video_layers = 1;
  size_t viewers_on_second_layer = 0;
  // Summed over links, current and gone: moves between encodings, and frames
  // withheld from one viewer (a hold after its link collapsed, a keyframe awaited).
  uint64_t layer_switches = 0, frames_withheld = 0;
  void add(const PeerConnectionStats& s);
};

class LinkSet {
 public:
  // Forced keyframes are at most this frequent: one IDR answers every viewer
  // that asked within the interval (each would otherwise cost a big frame).
  static constexpr Duration kKeyframeInterval = milliseconds(250);
  static constexpr int kLayers = LayerPlan::kMaxLayers;

  // max_layers 1: one encoding for every viewer (--layers 1).
  explicit LinkSet(int max_layers = kLayers) : max_layers_(max_layers), plan_({.max_layers = max_layers}) {}

  size_t size() const { return links_.size(); }
  bool empty() const { return links_.empty(); }
  bool contains(const std::string& id) const { return links_.count(id) != 0; }
  PeerLink* find(const std::string& id);

  PeerLink& add(const std::string& id, std::unique_ptr<PeerLink> link);
  // Closes the link and forgets it once the current callback has returned.
  void remove(asio::io_context& io, const std::string& id);
  void close_all();
  void clear();

  // A frame of one of the encodings, to the links that get that layer.
  void send_video(const EncodedFrame& frame, Instant now);
  void send_audio(const EncodedFrame& frame);
  // Congestion control's video rate for one link (its TargetBitrate event):
  // it may move the link to another encoding (fanout/layer_plan.hpp).
  void set_video_target(const std::string& id, int bps, Instant now);
  // The encoding's rate: the slowest of the links on it, so that one viewer
  // on a bad link neither ruins the others' picture nor is pushed past its
  // link. Layer 0 with no estimate yet, or layer 1 unused: 0. A layer a link
  // is still on, waiting to move off it at the other's keyframe, keeps its
  // last rate.
  int layer_bitrate(int layer);
  // The link's queue collapsed (TargetBitrate::pause_video): the layer whose
  // encoder should pause when the link is alone on it; nullopt when others
  // share it, and only this link's frames are then withheld for `d`.
  std::optional<int> on_collapse(const std::string& id, Duration d, Instant now);
  // The link's queue drained before that pause ran out
  // (TargetBitrate::resume_video): the layer whose encoder to resume, or
  // nullopt when only this link's frames were withheld (released now).
  std::optional<int> on_drained(const std::string& id, Instant now);
  // The encoding a keyframe request from this link is for.
  int keyframe_layer(const std::string& id) const;
  // Encodings whose keyframe a link waits for (a move, the end of a hold).
  std::vector<int> keyframes_wanted(Instant now) const;
  // A chat or state line to every connected peer; how many took it.
  size_t send_message(const std::string& text);
  void request_keyframes();
  // True when that encoder should make a keyframe for this request now.
  bool keyframe_due(Instant now, int layer = 0);

  LinkTotals totals() const;

 private:
  std::map<std::string, std::unique_ptr<PeerLink>> links_;
  int max_layers_;
  LayerPlan plan_;
  std::map<std::string, LayerForwarder> forwarders_;  // by link
  LinkTotals retired_;  // what links that are gone had counted
  std::optional<Instant> last_keyframe_[kLayers];
  int last_layer_bps_[kLayers] = {};
  void follow_plan();
};

}  // namespace peercall
