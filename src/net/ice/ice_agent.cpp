#include "net/ice/ice_agent.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <nice/agent.h>
#include <spdlog/spdlog.h>

#include <cstring>

#include "net/ice/ice_candidate.hpp"

namespace peercall {

namespace {

constexpr guint kComponent = 1;  // rtcp-mux: RTP and RTCP share component 1

bool binds_everywhere(const std::string& address) {
  return address.empty() || address == "::" || address == "0.0.0.0";
}

int family_of(const std::string& literal) {
  unsigned char buf[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, literal.c_str(), buf) == 1) return AF_INET;
  if (inet_pton(AF_INET6, literal.c_str(), buf) == 1) return AF_INET6;
  return AF_UNSPEC;
}

// libnice wants numeric addresses for its servers; prefer the family we bind to.
Result<std::string> resolve(const std::string& host, int preferred_family) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
    return Error("ice: cannot resolve '" + host + "': " + gai_strerror(rc));
  }
  std::string chosen;
  for (addrinfo* a = found; a; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = "";
    const void* raw = a->ai_family == AF_INET
                          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                          : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) ||
        !inet_ntop(a->ai_family, raw, text, sizeof text)) {
      continue;
    }
    if (chosen.empty() || a->ai_family == preferred_family) {
      chosen = text;
      if (a->ai_family == preferred_family) break;
    }
  }
  freeaddrinfo(found);
  if (chosen.empty()) return Error("ice: no IP address for '" + host + "'");
  return chosen;
}

const char* type_name(NiceCandidateType type) {
  switch (type) {
    case NICE_CANDIDATE_TYPE_HOST: return "host";
    case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE: return "srflx";
    case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE: return "prflx";
    case NICE_CANDIDATE_TYPE_RELAYED: return "relay";
  }
  return "?";
}

std::string describe(const NiceCandidate* c) {
  char ip[NICE_ADDRESS_STRING_LEN] = "";
  nice_address_to_string(&c->addr, ip);
  return describe_endpoint(ip, static_cast<uint16_t>(nice_address_get_port(&c->addr)), type_name(c->type));
}

NiceCandidate* to_nice(const CandidateLine& line, guint stream_id) {
  NiceCandidateType type = line.type == "host"    ? NICE_CANDIDATE_TYPE_HOST
                           : line.type == "srflx" ? NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE
                           : line.type == "prflx" ? NICE_CANDIDATE_TYPE_PEER_REFLEXIVE
                                                  : NICE_CANDIDATE_TYPE_RELAYED;
  NiceCandidate* c = nice_candidate_new(type);
  c->stream_id = stream_id;
  c->component_id = line.component;
  c->transport = NICE_CANDIDATE_TRANSPORT_UDP;
  c->priority = line.priority;
  g_strlcpy(c->foundation, line.foundation.c_str(), NICE_CANDIDATE_MAX_FOUNDATION);
  if (!nice_address_set_from_string(&c->addr, line.address.c_str())) {
    nice_candidate_free(c);
    return nullptr;
  }
  nice_address_set_port(&c->addr, line.port);
  if (!line.related_address.empty() && line.related_port != 0 &&
      nice_address_set_from_string(&c->base_addr, line.related_address.c_str())) {
    nice_address_set_port(&c->base_addr, line.related_port);
  }
  return c;
}

}  // namespace

struct IceAgent::Shared : std::enable_shared_from_this<IceAgent::Shared> {
  Shared(IceAgent* o, asio::io_context& i) : owner(o), io(i) {}
  std::atomic<bool> alive{true};
  IceAgent* owner;  // dereferenced only on the io thread, and only while alive
  asio::io_context& io;

  // From any thread: runs fn(owner) on the io thread unless the agent died.
  template <class F>
  void post(F fn) {
    asio::post(io, [keep = shared_from_this(), fn = std::move(fn)]() mutable {
      if (keep->alive.load()) fn(*keep->owner);
    });
  }

  // libnice's callbacks: on the GLib thread (or inside a libnice call made on
  // another thread); they copy what they need and post.
  static void on_component_state(NiceAgent*, guint, guint component, guint state, gpointer data) {
    if (component != kComponent) return;
    IceState mapped;
    switch (state) {
      case NICE_COMPONENT_STATE_GATHERING: mapped = IceState::kGathering; break;
      case NICE_COMPONENT_STATE_CONNECTING: mapped = IceState::kChecking; break;
      case NICE_COMPONENT_STATE_CONNECTED:
      case NICE_COMPONENT_STATE_READY: mapped = IceState::kConnected; break;
      case NICE_COMPONENT_STATE_FAILED: mapped = IceState::kFailed; break;
      default: return;  // DISCONNECTED is where every component starts
    }
    static_cast<Shared*>(data)->post([mapped](IceAgent& self) {
      self.last_heard_ = Clock::now();
      self.apply_state(mapped);
    });
  }

  static void on_gathering_done(NiceAgent*, guint, gpointer data) {
    static_cast<Shared*>(data)->post([](IceAgent& self) {
      if (self.callbacks_.on_gathering_done) self.callbacks_.on_gathering_done();
    });
  }

  static void on_selected_pair(NiceAgent*, guint, guint component, NiceCandidate* local,
                               NiceCandidate* remote, gpointer data) {
    if (component != kComponent || !local || !remote) return;
    std::string pair = describe(local) + " -> " + describe(remote);
    static_cast<Shared*>(data)->post([pair = std::move(pair)](IceAgent& self) {
      spdlog::debug("ice: selected pair {}", pair);
      self.selected_pair_ = pair;
    });
  }

  static void on_receive(NiceAgent*, guint, guint component, guint len, gchar* buf, gpointer data) {
    auto* shared = static_cast<Shared*>(data);
    if (component != kComponent || len == 0 || !shared->alive.load()) return;
    Instant arrival = Clock::now();  // at receipt, before the hop to the io thread
    Bytes datagram(reinterpret_cast<const uint8_t*>(buf), reinterpret_cast<const uint8_t*>(buf) + len);
    shared->post([datagram = std::move(datagram), arrival](IceAgent& self) {
      self.deliver(datagram, arrival);
    });
  }
};

IceAgent::IceAgent(GlibLoopThread& glib, asio::io_context& io, const IceConfig& config,
                   Callbacks callbacks)
    : glib_(glib),
      io_(io),
      callbacks_(std::move(callbacks)),
      consent_timeout_(config.consent_timeout),
      relay_only_(config.relay_only),
      shared_(std::make_shared<Shared>(this, io)),
      watchdog_(io) {}

Result<std::unique_ptr<IceAgent>> IceAgent::create(GlibLoopThread& glib, asio::io_context& io,
                                                   const IceConfig& config, Callbacks callbacks) {
  IceConfig resolved = config;
  int family = AF_UNSPEC;
  if (!binds_everywhere(config.bind_address)) {
    family = family_of(config.bind_address);
    if (family == AF_UNSPEC) return Error("ice: bind address '" + config.bind_address + "' is not an IP address");
  }
  if (resolved.stun) {
    auto ip = resolve(resolved.stun->first, family);
    if (!ip) return Error(ip.error());
    resolved.stun->first = *ip;
  }
  for (TurnServer& turn : resolved.turn) {
    auto ip = resolve(turn.host, family);
    if (!ip) return Error(ip.error());
    turn.host = *ip;
  }
  if (config.relay_only && config.turn.empty()) return Error("ice: relay only, but no TURN server");

  std::unique_ptr<IceAgent> agent(new IceAgent(glib, io, resolved, std::move(callbacks)));
  Result<Done> opened = Error("ice: not opened");
  glib.run_sync([&] { opened = agent->open(resolved); });
  if (!opened) return Error(opened.error());
  return agent;
}

Result<Done> IceAgent::open(const IceConfig& config) {
  // Regular nomination is RFC 8445's only one. Consent is checked here, not
  // by libnice (see the header).
  agent_ = nice_agent_new_full(glib_.context(), NICE_COMPATIBILITY_RFC5245,
                               NICE_AGENT_OPTION_REGULAR_NOMINATION);
  if (!agent_) return Error("ice: cannot create libnice agent");
  // No ICE-TCP host candidates (media is UDP), and no UPnP: it would multicast
  // to the LAN asking routers for port mappings.
  g_object_set(agent_, "controlling-mode", gboolean(config.controlling), "ice-tcp", FALSE,
               "ice-udp", TRUE, "upnp", FALSE, "force-relay", gboolean(config.relay_only),
               nullptr);
  if (config.stun) {
    g_object_set(agent_, "stun-server", config.stun->first.c_str(), "stun-server-port",
                 guint(config.stun->second), nullptr);
  }
  if (!binds_everywhere(config.bind_address)) {
    NiceAddress address;
    nice_address_init(&address);
    if (!nice_address_set_from_string(&address, config.bind_address.c_str()) ||
        !nice_agent_add_local_address(agent_, &address)) {
      return Error("ice: cannot use local address " + config.bind_address);
    }
  }
  if (binds_everywhere(config.bind_address) && config.include_loopback) {
    // Naming any address switches libnice's own enumeration off: name them all.
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) == 0) {
      for (ifaddrs* it = list; it; it = it->ifa_next) {
        if (!it->ifa_addr || !(it->ifa_flags & IFF_UP)) continue;
        const int fam = it->ifa_addr->sa_family;
        if (fam != AF_INET && fam != AF_INET6) continue;
        if (fam == AF_INET6 &&
            IN6_IS_ADDR_LINKLOCAL(&reinterpret_cast<sockaddr_in6*>(it->ifa_addr)->sin6_addr))
          continue;
        NiceAddress address;
        nice_address_init(&address);
        nice_address_set_from_sockaddr(&address, it->ifa_addr);
        nice_agent_add_local_address(agent_, &address);
      }
      freeifaddrs(list);
    }
  }
  stream_id_ = nice_agent_add_stream(agent_, 1);
  if (stream_id_ == 0) return Error("ice: cannot add a stream");
  if (config.min_port != 0 || config.max_port != 0) {
    nice_agent_set_port_range(agent_, stream_id_, kComponent, config.min_port,
                              config.max_port ? config.max_port : config.min_port);
  }
  for (const TurnServer& turn : config.turn) {
    if (!nice_agent_set_relay_info(agent_, stream_id_, kComponent, turn.host.c_str(), turn.port,
                                   turn.user.c_str(), turn.password.c_str(),
                                   turn.tcp ? NICE_RELAY_TYPE_TURN_TCP : NICE_RELAY_TYPE_TURN_UDP)) {
      return Error("ice: libnice refused TURN server " + turn.host);
    }
  }
  Shared* shared = shared_.get();
  g_signal_connect(agent_, "component-state-changed", G_CALLBACK(&Shared::on_component_state), shared);
  g_signal_connect(agent_, "candidate-gathering-done", G_CALLBACK(&Shared::on_gathering_done), shared);
  g_signal_connect(agent_, "new-selected-pair-full", G_CALLBACK(&Shared::on_selected_pair), shared);
  if (!nice_agent_attach_recv(agent_, stream_id_, kComponent, glib_.context(), &Shared::on_receive,
                              shared)) {
    return Error("ice: cannot attach the receive callback");
  }
  return Done{};
}

IceAgent::~IceAgent() {
  shared_->alive = false;  // anything already posted now does nothing
  watchdog_.cancel();
  if (!agent_) return;
  NiceAgent* agent = agent_;
  GlibLoopThread* glib = &glib_;
  const bool loop_running = !glib_.stopped();
  glib_.run_sync([&] {
    g_signal_handlers_disconnect_matched(agent, G_SIGNAL_MATCH_DATA, 0, 0, nullptr, nullptr,
                                         shared_.get());
    if (!loop_running) {
      g_object_unref(agent);
      return;
    }
    // Releases the TURN allocations, then drops the last reference on the loop.
    // The receive callback stays attached until then (detaching it would stop
    // libnice reading the sockets, so the deallocation's answer would never
    // arrive); it sees the alive flag and drops what comes in.
    struct Closing {
      std::shared_ptr<Shared> shared;
      GlibLoopThread* glib;
    };
    glib->begin_pending();
    nice_agent_close_async(
        agent,
        [](GObject* source, GAsyncResult*, gpointer data) {
          auto* closing = static_cast<Closing*>(data);
          g_object_unref(source);
          closing->glib->end_pending();
          delete closing;
        },
        new Closing{shared_, glib});
  });
}

Result<Done> IceAgent::gather() {
  if (state_ != IceState::kNew) return Error("ice: already gathering");
  gboolean started = FALSE;
  glib_.run_sync([&] { started = nice_agent_gather_candidates(agent_, stream_id_); });
  if (!started) return Error("ice: gathering did not start (no usable local address?)");
  apply_state(IceState::kGathering);
  return Done{};
}

IceCredentials IceAgent::local_credentials() const {
  IceCredentials credentials;
  gchar* ufrag = nullptr;
  gchar* pwd = nullptr;
  if (nice_agent_get_local_credentials(agent_, stream_id_, &ufrag, &pwd)) {
    credentials.ufrag = ufrag ? ufrag : "";
    credentials.pwd = pwd ? pwd : "";
  }
  g_free(ufrag);
  g_free(pwd);
  return credentials;
}

std::vector<std::string> IceAgent::local_candidates() const {
  std::vector<std::string> lines;
  GSList* candidates = nice_agent_get_local_candidates(agent_, stream_id_, kComponent);
  for (GSList* item = candidates; item; item = item->next) {
    auto* candidate = static_cast<NiceCandidate*>(item->data);
    // force-relay keeps host candidates as bases; they are not to be offered.
    if (relay_only_ && candidate->type != NICE_CANDIDATE_TYPE_RELAYED) continue;
    if (gchar* sdp = nice_agent_generate_local_candidate_sdp(agent_, candidate)) {
      std::string_view line(sdp);
      if (line.substr(0, 2) == "a=") line.remove_prefix(2);
      lines.emplace_back(line);
      g_free(sdp);
    }
  }
  g_slist_free_full(candidates, reinterpret_cast<GDestroyNotify>(&nice_candidate_free));
  return lines;
}

Result<Done> IceAgent::set_remote(const IceCredentials& credentials,
                                  const std::vector<std::string>& candidates) {
  // RFC 8445 section 5.3: ufrag at least 4 characters, password at least 22.
  if (credentials.ufrag.size() < 4 || credentials.ufrag.size() > 256 ||
      credentials.pwd.size() < 22 || credentials.pwd.size() > 256) {
    return Error("ice: remote ufrag/pwd missing or of the wrong length");
  }
  GSList* usable = nullptr;
  size_t count = 0, skipped = 0;
  for (const std::string& text : candidates) {
    if (text.empty() || text == "end-of-candidates" || text == "a=end-of-candidates") continue;
    auto line = parse_candidate_line(text);
    if (!line || line->component != kComponent || line->tcp) {
      spdlog::debug("ice: skipped remote candidate '{}': {}", text.substr(0, 120),
                    line ? "not UDP on component 1" : line.error());
      ++skipped;
      continue;
    }
    NiceCandidate* candidate = to_nice(*line, stream_id_);
    if (!candidate) {
      ++skipped;
      continue;
    }
    usable = g_slist_prepend(usable, candidate);
    ++count;
  }
  stats_.remote_candidates_skipped += skipped;
  if (count == 0) {
    return Error("ice: no usable remote candidate (" + std::to_string(skipped) + " skipped)");
  }
  usable = g_slist_reverse(usable);
  int added = -1;
  glib_.run_sync([&] {
    if (nice_agent_set_remote_credentials(agent_, stream_id_, credentials.ufrag.c_str(),
                                          credentials.pwd.c_str())) {
      added = nice_agent_set_remote_candidates(agent_, stream_id_, kComponent, usable);
    }
  });
  g_slist_free_full(usable, reinterpret_cast<GDestroyNotify>(&nice_candidate_free));
  if (added <= 0) return Error("ice: libnice took none of the remote candidates");
  stats_.remote_candidates_skipped += count - size_t(added);
  return Done{};
}

void IceAgent::send(ByteView datagram) {
  if (state_ != IceState::kConnected || datagram.empty()) {
    ++stats_.send_dropped;
    return;
  }
  // nice_agent_send takes the agent lock: safe from this thread.
  gint sent = nice_agent_send(agent_, stream_id_, kComponent, guint(datagram.size()),
                              reinterpret_cast<const gchar*>(datagram.data()));
  if (sent == gint(datagram.size())) {
    ++stats_.sent;
  } else {
    ++stats_.send_dropped;  // would block (TURN over TCP backlog) or socket error
  }
}

void IceAgent::apply_state(IceState state) {
  if (state == state_ || state_ == IceState::kFailed || state_ == IceState::kClosed) return;
  // Late gathering news must not pull a checking or connected agent back.
  if (state == IceState::kGathering && state_ != IceState::kNew) return;
  spdlog::debug("ice: {} -> {}", to_string(state_), to_string(state));
  state_ = state;
  if (state == IceState::kConnected) {
    last_heard_ = Clock::now();
    arm_watchdog();
  }
  if (callbacks_.on_state) callbacks_.on_state(state);
}

void IceAgent::deliver(const Bytes& datagram, Instant arrival) {
  ++stats_.received;
  if (arrival > last_heard_) last_heard_ = arrival;
  if (callbacks_.on_datagram) callbacks_.on_datagram(ByteView(datagram), arrival);
}

void IceAgent::arm_watchdog() {
  if (consent_timeout_ <= Duration::zero()) return;
  // Checking a few times per timeout keeps the report within ~25% of it.
  watchdog_.expires_after(std::max<Duration>(consent_timeout_ / 4, milliseconds(10)));
  watchdog_.async_wait([keep = shared_](const boost::system::error_code& ec) {
    if (ec || !keep->alive.load()) return;
    IceAgent& self = *keep->owner;
    if (self.state_ != IceState::kConnected) return;
    if (Clock::now() - self.last_heard_ >= self.consent_timeout_) {
      spdlog::info("ice: nothing heard from the peer for {:.1f} s: gone",
                   to_seconds(Clock::now() - self.last_heard_));
      self.apply_state(IceState::kFailed);
      return;
    }
    self.arm_watchdog();
  });
}

}  // namespace peercall
