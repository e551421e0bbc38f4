#include "datachannel/sctp_association.hpp"

#include <arpa/inet.h>
#include <usrsctp.h>

#include <cerrno>
#include <cstring>

namespace peercall {
namespace {

constexpr size_t kReceiveChunk = 64 * 1024;  // usrsctp hands big messages over in parts
constexpr size_t kSctpCommonHeader = 12;

bool would_block(int err) { return err == EWOULDBLOCK || err == EAGAIN; }

std::string errno_text(const char* what) {
  return std::string("sctp: ") + what + ": " + std::strerror(errno);
}

sockaddr_conn conn_address(void* self, uint16_t port) {
  sockaddr_conn a{};
  a.sconn_family = AF_CONN;
  a.sconn_port = htons(port);
  a.sconn_addr = self;  // usrsctp hands this back to the output callback
  return a;
}

template <class T>
Result<Done> set_option(struct socket* s, int level, int name, const T& value, const char* what) {
  if (usrsctp_setsockopt(s, level, name, &value, sizeof(value)) != 0) return Error(errno_text(what));
  return Done{};
}

// Copies a fixed notification header out of the (unaligned) bytes, if they hold one.
template <class T>
bool read_struct(ByteView bytes, T& out) {
  if (bytes.size() < sizeof(T)) return false;
  std::memcpy(&out, bytes.data(), sizeof(T));
  return true;
}

}  // namespace

const char* to_string(SctpState state) {
  switch (state) {
    case SctpState::kNew: return "new";
    case SctpState::kConnecting: return "connecting";
    case SctpState::kConnected: return "connected";
    case SctpState::kClosed: return "closed";
    case SctpState::kFailed: return "failed";
  }
  return "?";
}

Result<std::unique_ptr<SctpAssociation>> SctpAssociation::create(const SctpConfig& config,
                                                                   Instant now) {
  if (config.mtu < 512 || config.mtu > 65535) return Error("sctp: mtu must be 512..65535");
  if (config.streams == 0) return Error("sctp: at least one stream");
  if (config.max_message_size == 0 || config.remote_max_message_size == 0)
    return Error("sctp: max message size must be > 0");
  std::unique_ptr<SctpAssociation> a(new SctpAssociation(config));
  UsrsctpLibrary::advance(now);  // the stack's clock starts from our clock
  if (auto opened = a->open_socket(); !opened) return Error(opened.error());
  return a;
}

Result<Done> SctpAssociation::open_socket() {
  UsrsctpLibrary::attach(this, [this](ByteView packet) {
    std::lock_guard lock(packets_mutex_);
    packets_out_.emplace_back(packet.begin(), packet.end());
    ++packets_out_count_;
  });
  attached_ = true;
  socket_ = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, nullptr, nullptr, 0, nullptr);
  if (!socket_) return Error(errno_text("socket"));
  if (usrsctp_set_non_blocking(socket_, 1) != 0) return Error(errno_text("non-blocking"));

  // Closing aborts at once: the DTLS under us is going away too.
  linger no_linger{1, 0};
  if (auto r = set_option(socket_, SOL_SOCKET, SO_LINGER, no_linger, "SO_LINGER"); !r) return r;
  // 1 MiB each way: usrsctp's 256 KiB default holds just one max-size message.
  int buffer = 1 << 20;
  if (auto r = set_option(socket_, SOL_SOCKET, SO_SNDBUF, buffer, "SO_SNDBUF"); !r) return r;
  if (auto r = set_option(socket_, SOL_SOCKET, SO_RCVBUF, buffer, "SO_RCVBUF"); !r) return r;

  // Closing a channel resets its streams (RFC 8831 6.7).
  sctp_assoc_value reset{};
  reset.assoc_id = SCTP_FUTURE_ASSOC;
  reset.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ;
  if (auto r = set_option(socket_, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, reset,
                          "SCTP_ENABLE_STREAM_RESET");
      !r)
    return r;
  int on = 1;
  // Stream and PPID of every message (which channel, text or binary).
  if (auto r = set_option(socket_, IPPROTO_SCTP, SCTP_RECVRCVINFO, on, "SCTP_RECVRCVINFO"); !r)
    return r;
  // No Nagle: a chat line goes out now (RFC 8831 6.6).
  if (auto r = set_option(socket_, IPPROTO_SCTP, SCTP_NODELAY, on, "SCTP_NODELAY"); !r) return r;
  // We mark message ends, so a big message can enter a full send buffer in parts.
  if (auto r = set_option(socket_, IPPROTO_SCTP, SCTP_EXPLICIT_EOR, on, "SCTP_EXPLICIT_EOR"); !r)
    return r;
  // One message at a time in the receive path, never interleaved with another's parts.
  int level = 0;
  if (auto r = set_option(socket_, IPPROTO_SCTP, SCTP_FRAGMENT_INTERLEAVE, level,
                          "SCTP_FRAGMENT_INTERLEAVE");
      !r)
    return r;

  sctp_initmsg init{};
  init.sinit_num_ostreams = config_.streams;
  init.sinit_max_instreams = config_.streams;
  if (auto r = set_option(socket_, IPPROTO_SCTP, SCTP_INITMSG, init, "SCTP_INITMSG"); !r) return r;

  // No path MTU discovery under DTLS (usrsctp has no RFC 4821 probing): a fixed
  // size that fits one DTLS record (RFC 8261 section 5), and heartbeats on.
  sctp_paddrparams path{};
  path.spp_assoc_id = SCTP_FUTURE_ASSOC;
  path.spp_flags = SPP_PMTUD_DISABLE | SPP_HB_ENABLE;
  // For AF_CONN usrsctp adds the 12-byte common header to this, and 0.9.5
  // fills packets 12 bytes beyond even that (measured: the test checks it).
  path.spp_pathmtu = static_cast<uint32_t>(config_.mtu - 2 * kSctpCommonHeader);
  if (auto r = set_option(socket_, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, path,
                          "SCTP_PEER_ADDR_PARAMS");
      !r)
    return r;

  for (uint16_t type : {SCTP_ASSOC_CHANGE, SCTP_SHUTDOWN_EVENT, SCTP_STREAM_RESET_EVENT,
                        SCTP_SENDER_DRY_EVENT, SCTP_SEND_FAILED_EVENT, SCTP_REMOTE_ERROR}) {
    struct ::sctp_event event{};
    event.se_assoc_id = SCTP_FUTURE_ASSOC;
    event.se_type = type;
    event.se_on = 1;
    if (auto r = set_option(socket_, IPPROTO_SCTP, SCTP_EVENT, event, "SCTP_EVENT"); !r) return r;
  }

  sockaddr_conn local = conn_address(this, config_.local_port);
  if (usrsctp_bind(socket_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0)
    return Error(errno_text("bind"));
  return Done{};
}

SctpAssociation::~SctpAssociation() {
  if (socket_) usrsctp_close(socket_);
  if (attached_) UsrsctpLibrary::detach(this);
}

void SctpAssociation::start(Instant now) {
  if (state_ != SctpState::kNew) return;
  UsrsctpLibrary::advance(now);
  state_ = SctpState::kConnecting;
  last_timer_ = now;
  // Both sides connect; SCTP resolves the crossing INITs (RFC 4960 5.2.1).
  sockaddr_conn remote = conn_address(this, config_.remote_port);
  if (usrsctp_connect(socket_, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) != 0 &&
      errno != EINPROGRESS) {
    fail(errno_text("connect"));
    return;
  }
  drive(now);
}

void SctpAssociation::handle_packet(ByteView packet, Instant now) {
  if (state_ == SctpState::kNew) start(now);
  if (state_ != SctpState::kConnecting && state_ != SctpState::kConnected) return;
  if (packet.size() < kSctpCommonHeader) {
    ++stats_.malformed_dropped;
    return;
  }
  ++stats_.packets_in;
  UsrsctpLibrary::advance(now);
  // Processed synchronously: replies land in packets_out_, data in the socket.
  usrsctp_conninput(this, packet.data(), packet.size(), 0);
  drive(now);
}

void SctpAssociation::handle_timeout(Instant now) {
  if (state_ != SctpState::kConnecting && state_ != SctpState::kConnected) return;
  UsrsctpLibrary::advance(now);
  last_timer_ = now;
  drive(now);
}

std::optional<Instant> SctpAssociation::next_timeout() const {
  if (state_ != SctpState::kConnecting && state_ != SctpState::kConnected) return std::nullopt;
  // usrsctp cannot say when its next timer is due: we tick it as its own
  // timer thread would.
  return *last_timer_ + config_.timer_interval;
}

std::optional<Bytes> SctpAssociation::poll_packet() {
  std::lock_guard lock(packets_mutex_);
  if (packets_out_.empty()) return std::nullopt;
  Bytes packet = std::move(packets_out_.front());
  packets_out_.pop_front();
  return packet;
}

std::optional<SctpEvent> SctpAssociation::poll_event() {
  if (events_.empty()) return std::nullopt;
  SctpEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

Result<Done> SctpAssociation::send(uint16_t stream, uint32_t ppid, ByteView data,
                                   const SctpSendOptions& options, Instant now) {
  if (state_ == SctpState::kClosed || state_ == SctpState::kFailed)
    return Error(std::string("sctp: association ") + to_string(state_) +
                 (error_.empty() ? "" : ": " + error_));
  if (data.empty()) return Error("sctp: empty message (SCTP cannot carry one)");
  if (data.size() > config_.remote_max_message_size)
    return Error("sctp: message of " + std::to_string(data.size()) +
                 " bytes is over the peer's max-message-size of " +
                 std::to_string(config_.remote_max_message_size));
  if (stream >= config_.streams)
    return Error("sctp: stream " + std::to_string(stream) + " is beyond the " +
                 std::to_string(config_.streams) + " negotiated");
  if (queued_bytes_ + data.size() > config_.send_queue_limit)
    return Error("sctp: send queue full (" + std::to_string(queued_bytes_) + " bytes waiting)");
  sends_.push_back(Pending{stream, ppid, Bytes(data.begin(), data.end()), 0, options, false});
  queued_bytes_ += data.size();
  if (state_ == SctpState::kConnected) {
    UsrsctpLibrary::advance(now);
    drive(now);
  }
  return Done{};
}

Result<Done> SctpAssociation::reset_stream(uint16_t stream, Instant now) {
  if (state_ != SctpState::kConnected && state_ != SctpState::kConnecting)
    return Error(std::string("sctp: cannot reset a stream when ") + to_string(state_));
  if (stream >= config_.streams) return Error("sctp: no stream " + std::to_string(stream));
  // In line with the data: what was sent before the reset still goes first.
  sends_.push_back(Pending{stream, 0, {}, 0, {}, true});
  if (state_ == SctpState::kConnected) {
    UsrsctpLibrary::advance(now);
    drive(now);
  }
  return Done{};
}

void SctpAssociation::close(Instant now) {
  if (!socket_) return;
  UsrsctpLibrary::advance(now);
  usrsctp_close(socket_);  // linger 0: ABORT, already in packets_out_
  socket_ = nullptr;
  if (state_ != SctpState::kFailed) state_ = SctpState::kClosed;
  sends_.clear();
  queued_bytes_ = 0;
}

void SctpAssociation::drive(Instant /*now*/) {
  receive_all();
  flush_sends();
  std::lock_guard lock(packets_mutex_);
  stats_.packets_out = packets_out_count_;
}

void SctpAssociation::receive_all() {
  Bytes buffer(kReceiveChunk);
  while (socket_ && (state_ == SctpState::kConnecting || state_ == SctpState::kConnected)) {
    sctp_rcvinfo info{};
    socklen_t info_length = sizeof(info);
    socklen_t from_length = 0;
    unsigned int info_type = SCTP_RECVV_NOINFO;
    int flags = 0;
    ssize_t n = usrsctp_recvv(socket_, buffer.data(), buffer.size(), nullptr, &from_length, &info,
                              &info_length, &info_type, &flags);
    if (n < 0) {
      if (would_block(errno) || errno == ENOTCONN) return;
      if (errno == ECONNRESET) {
        fail("sctp: the peer aborted the association");
      } else {
        fail(errno_text("receive"));
      }
      return;
    }
    ByteView chunk(buffer.data(), static_cast<size_t>(n));
    if (flags & MSG_NOTIFICATION) {
      on_notification(chunk, flags);
    } else if (n == 0) {
      if (state_ == SctpState::kConnected) closed("sctp: the peer shut the association down");
      return;
    } else {
      bool with_info = info_type == SCTP_RECVV_RCVINFO;
      on_data(chunk, flags, with_info ? info.rcv_sid : 0, with_info ? ntohl(info.rcv_ppid) : 0,
              with_info && (info.rcv_flags & SCTP_UNORDERED));
    }
  }
}

void SctpAssociation::on_data(ByteView chunk, int flags, uint16_t stream, uint32_t ppid,
                              bool unordered) {
  if (!partial_oversized_) {
    if (partial_message_.size() + chunk.size() > config_.max_message_size) {
      partial_oversized_ = true;  // the rest of it is read and thrown away
      partial_message_.clear();
      partial_message_.shrink_to_fit();
    } else {
      partial_message_.insert(partial_message_.end(), chunk.begin(), chunk.end());
    }
  }
  if (!(flags & MSG_EOR)) return;
  if (partial_oversized_) {
    ++stats_.oversized_dropped;
  } else {
    ++stats_.messages_in;
    events_.push_back(sctp_event::Message{stream, ppid, std::move(partial_message_), unordered});
  }
  partial_message_ = {};
  partial_oversized_ = false;
}

void SctpAssociation::on_notification(ByteView chunk, int flags) {
  partial_notification_.insert(partial_notification_.end(), chunk.begin(), chunk.end());
  if (!(flags & MSG_EOR)) return;
  Bytes notification = std::move(partial_notification_);
  partial_notification_ = {};
  handle_notification(notification);
}

void SctpAssociation::handle_notification(ByteView bytes) {
  decltype(sctp_notification::sn_header) header{};
  if (!read_struct(bytes, header)) return;
  switch (header.sn_type) {
    case SCTP_ASSOC_CHANGE: {
      sctp_assoc_change change{};
      if (!read_struct(bytes, change)) return;
      switch (change.sac_state) {
        case SCTP_COMM_UP:
          if (state_ == SctpState::kConnecting) {
            state_ = SctpState::kConnected;
            events_.push_back(
                sctp_event::Connected{change.sac_outbound_streams, change.sac_inbound_streams});
          }
          break;
        case SCTP_COMM_LOST:
          fail("sctp: association lost (the peer aborted or stopped answering)");
          break;
        case SCTP_CANT_STR_ASSOC:
          fail("sctp: could not set the association up (no answer to INIT)");
          break;
        case SCTP_SHUTDOWN_COMP:
          closed("sctp: association shut down");
          break;
        default:
          break;  // SCTP_RESTART: the peer restarted; streams carry on
      }
      break;
    }
    case SCTP_SHUTDOWN_EVENT:
      closed("sctp: the peer shut the association down");
      break;
    case SCTP_STREAM_RESET_EVENT: {
      sctp_stream_reset_event reset{};
      if (!read_struct(bytes, reset)) return;
      if (reset.strreset_flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)) return;
      size_t length = std::min<size_t>(reset.strreset_length, bytes.size());
      size_t count = length > sizeof(reset) ? (length - sizeof(reset)) / sizeof(uint16_t) : 0;
      for (size_t i = 0; i < count; ++i) {
        uint16_t stream;
        std::memcpy(&stream, bytes.data() + sizeof(reset) + i * sizeof(uint16_t), sizeof(stream));
        if (reset.strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN)
          events_.push_back(sctp_event::StreamReset{stream, true});
        if (reset.strreset_flags & SCTP_STREAM_RESET_OUTGOING_SSN)
          events_.push_back(sctp_event::StreamReset{stream, false});
      }
      break;
    }
    case SCTP_SEND_FAILED_EVENT:
      ++stats_.send_failed;  // partial reliability gave a message up
      break;
    default:
      break;  // SENDER_DRY: flush_sends runs after every call anyway; REMOTE_ERROR: nothing to do
  }
}

void SctpAssociation::flush_sends() {
  while (socket_ && state_ == SctpState::kConnected && !sends_.empty()) {
    Pending& p = sends_.front();
    if (p.reset) {
      std::vector<uint8_t> request(sizeof(sctp_reset_streams) + sizeof(uint16_t));
      sctp_reset_streams header{};
      header.srs_flags = SCTP_STREAM_RESET_OUTGOING;
      header.srs_number_streams = 1;
      std::memcpy(request.data(), &header, sizeof(header));
      std::memcpy(request.data() + sizeof(header), &p.stream, sizeof(p.stream));
      // usrsctp queues it until the stream's data is out; a refusal means the
      // stream is gone already.
      usrsctp_setsockopt(socket_, IPPROTO_SCTP, SCTP_RESET_STREAMS, request.data(),
                         static_cast<socklen_t>(request.size()));
      sends_.pop_front();
      continue;
    }
    sctp_sendv_spa spa{};
    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
    spa.sendv_sndinfo.snd_sid = p.stream;
    spa.sendv_sndinfo.snd_ppid = htonl(p.ppid);
    spa.sendv_sndinfo.snd_flags = SCTP_EOR | (p.options.ordered ? 0 : SCTP_UNORDERED);
    if (p.options.max_retransmits) {
      spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
      spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_RTX;
      spa.sendv_prinfo.pr_value = *p.options.max_retransmits;
    } else if (p.options.max_lifetime) {
      spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
      spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_TTL;
      spa.sendv_prinfo.pr_value = static_cast<uint32_t>(p.options.max_lifetime->count());
    }
    size_t remaining = p.data.size() - p.sent;
    ssize_t n = usrsctp_sendv(socket_, p.data.data() + p.sent, remaining, nullptr, 0, &spa,
                              sizeof(spa), SCTP_SENDV_SPA, 0);
    if (n < 0) {
      if (would_block(errno)) return;  // the send buffer is full: after the next SACK
      ++stats_.send_failed;
      queued_bytes_ -= remaining;
      sends_.pop_front();
      continue;
    }
    p.sent += static_cast<size_t>(n);
    queued_bytes_ -= static_cast<size_t>(n);
    if (p.sent < p.data.size()) return;  // took a part: the buffer is full
    ++stats_.messages_out;
    sends_.pop_front();
  }
}

void SctpAssociation::fail(std::string reason) {
  if (state_ == SctpState::kFailed || state_ == SctpState::kClosed) return;
  state_ = SctpState::kFailed;
  error_ = reason;
  events_.push_back(sctp_event::Failed{std::move(reason)});
}

void SctpAssociation::closed(std::string reason) {
  if (state_ == SctpState::kFailed || state_ == SctpState::kClosed) return;
  state_ = SctpState::kClosed;
  error_ = reason;
  events_.push_back(sctp_event::Closed{std::move(reason)});
}

}  // namespace peercall
