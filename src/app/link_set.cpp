#include "app/link_set.hpp"

#include <algorithm>
#include <climits>

namespace peercall {

void LinkTotals::add(const PeerConnectionStats& s) {
  const SessionStats& m = s.session;
  bytes_out += m.video_out.bytes + m.audio_out.bytes;
  bytes_in += m.video_in.bytes + m.audio_in.bytes;
  packets_in += m.video_in.packets + m.audio_in.packets;
  packets_lost_in += m.video_in.packets_lost + m.audio_in.packets_lost;
  frames_lost_in += m.video_in.frames_lost;
  audio_too_late += m.audio_in.packets_too_late;
  malformed += m.datagrams_malformed + s.channel.dropped_unknown + s.channel.dtls.malformed_dropped;
  rejected += s.channel.dropped_rejected + m.rtcp_unknown_ssrc;
  nacks_sent += m.video_in.nacks_sent;
  nacks_received += m.video_out.nacks_received;
  retransmitted += m.video_out.packets_retransmitted;
  superseded += m.video_out.packets_superseded + m.video_out.retransmit_superseded + m.congestion.collapse_dropped;
  recovered += m.video_in.packets_recovered;
  unrecovered += m.video_in.packets_unrecovered;
  keyframe_requests_sent += m.video_in.keyframe_requests_sent;
  keyframe_requests_received += m.video_out.keyframe_requests_received;
  if (m.rtt && !rtt) rtt = m.rtt;
  fec_sent += m.video_out.fec_packets_sent;
  fec_recovered += m.video_in.packets_recovered_by_fec;
  if (m.congestion.transport_cc && m.congestion.target_bps > 0) {
    const int kbps = m.congestion.target_bps / 1000;
    bwe_kbps = bwe_kbps == 0 ? kbps : std::min(bwe_kbps, kbps);
  }
  pacer_delay_ms = std::max(pacer_delay_ms, to_micros(m.congestion.pacer_queue_delay) / 1000.0);
  standing_queue_ms = std::max(standing_queue_ms, to_micros(m.congestion.standing_queue) / 1000.0);
  video_pauses += m.congestion.video_pauses;
}

PeerLink* LinkSet::find(const std::string& id) {
  auto it = links_.find(id);
  return it == links_.end() ? nullptr : it->second.get();
}

PeerLink& LinkSet::add(const std::string& id, std::unique_ptr<PeerLink> link) {
  PeerLink& ref = *link;
  links_[id] = std::move(link);
  forwarders_[id] = LayerForwarder{};  // a newcomer starts on the first encoding
  return ref;
}

void LinkSet::remove(asio::io_context& io, const std::string& id) {
  auto it = links_.find(id);
  if (it == links_.end()) return;
  // Out of the set before closing: closing may report events that remove it again.
  std::unique_ptr<PeerLink> gone = std::move(it->second);
  links_.erase(it);
  plan_.remove(id);
  follow_plan();
  if (auto f = forwarders_.find(id); f != forwarders_.end()) {
    retired_.layer_switches += f->second.stats().switches;
    retired_.frames_withheld += f->second.stats().frames_withheld;
    forwarders_.erase(f);
  }
  gone->close();
  // Counted now, so rates stay whole; destroyed later: we may be inside this
  // link's own event callback.
  retired_.add(gone->stats());
  retired_.rtt.reset();
  asio::post(io, [gone = std::shared_ptr<PeerLink>(std::move(gone))] {});
}

void LinkSet::close_all() {
  // By id: closing may report events that change the set.
  std::vector<std::string> ids;
  for (auto& [id, link] : links_) ids.push_back(id);
  for (const auto& id : ids)
    if (PeerLink* link = find(id)) link->close();
}

void LinkSet::clear() {
  links_.clear();
  forwarders_.clear();
  plan_ = LayerPlan({.max_layers = max_layers_});
}

void LinkSet::send_video(const EncodedFrame& frame, Instant now) {
  for (auto& [id, link] : links_) {
    auto f = forwarders_.find(id);
    if (f == forwarders_.end() || f->second.admit(frame.layer, frame.keyframe, now)) link->send_video(frame);
  }
}

void LinkSet::set_video_target(const std::string& id, int bps, Instant now) {
  if (!links_.count(id)) return;
  plan_.set_target(id, bps, now);
  follow_plan();
}

void LinkSet::follow_plan() {
  for (auto& [link, f] : forwarders_) f.want_layer(plan_.layer_of(link));
}

int LinkSet::layer_bitrate(int layer) {
  layer = std::clamp(layer, 0, kLayers - 1);
  if (const int bps = plan_.layer_bps(layer); bps > 0) return last_layer_bps_[layer] = bps;
  for (const auto& [id, f] : forwarders_)
    if (f.layer() == layer) return last_layer_bps_[layer];
  return last_layer_bps_[layer] = 0;
}

std::optional<int> LinkSet::on_collapse(const std::string& id, Duration d, Instant now) {
  auto f = forwarders_.find(id);
  if (f == forwarders_.end()) return std::nullopt;
  const int layer = f->second.layer();
  size_t sharing = 0;
  for (const auto& [other, g] : forwarders_) sharing += g.layer() == layer ? 1 : 0;
  if (sharing <= 1) return layer;  // its own encoding: pause it (no frame encoded for nothing)
  f->second.hold(d, now);
  return std::nullopt;
}

std::optional<int> LinkSet::on_drained(const std::string& id, Instant now) {
  auto f = forwarders_.find(id);
  if (f == forwarders_.end() || f->second.release(now)) return std::nullopt;
  return f->second.layer();
}

int LinkSet::keyframe_layer(const std::string& id) const {
  auto f = forwarders_.find(id);
  return f == forwarders_.end() ? 0 : f->second.target_layer();
}

std::vector<int> LinkSet::keyframes_wanted(Instant now) const {
  std::vector<int> layers;
  for (const auto& [id, f] : forwarders_)
    if (auto layer = f.keyframe_wanted(now); layer && std::find(layers.begin(), layers.end(), *layer) == layers.end())
      layers.push_back(*layer);
  return layers;
}

size_t LinkSet::send_message(const std::string& text) {
  size_t sent = 0;
  for (auto& [id, link] : links_)
    if (link->connected() && link->send_message(text)) ++sent;
  return sent;
}

void LinkSet::send_audio(const EncodedFrame& frame) {
  for (auto& [id, link] : links_) link->send_audio(frame);
}

void LinkSet::request_keyframes() {
  for (auto& [id, link] : links_) link->request_keyframe();
}

bool LinkSet::keyframe_due(Instant now, int layer) {
  std::optional<Instant>& last = last_keyframe_[std::clamp(layer, 0, kLayers - 1)];
  if (last && now - *last < kKeyframeInterval) return false;
  last = now;
  return true;
}

LinkTotals LinkSet::totals() const {
  LinkTotals t = retired_;
  t.bwe_kbps = 0;  // of the links now, not of the ones gone
  t.pacer_delay_ms = 0;
  t.standing_queue_ms = 0;
  for (const auto& [id, link] : links_) t.add(link->stats());
  for (const auto& [id, f] : forwarders_) {
    t.layer_switches += f.stats().switches;
    t.frames_withheld += f.stats().frames_withheld;
  }
  t.video_layers = plan_.active_layers();
  t.viewers_on_second_layer = plan_.viewers_on(1);
  return t;
}

}  // namespace peercall
