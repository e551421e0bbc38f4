#include "app/call_server.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "app/connection_config.hpp"
#include "identity/fingerprint.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"

namespace peercall {
namespace {

// 128 bits from the CSPRNG: the session's URL is the capability to hang it up.
std::string random_session_id() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) return {};
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (unsigned char b : raw) {
    id += hex[b >> 4];
    id += hex[b & 15];
  }
  return id;
}

}  // namespace

CallServer::CallServer(asio::io_context& io, GlibLoopThread& glib, PeerTrust& trust, LinkSet& links,
                       CallServerConfig config, LinkEvent on_link_event, Notice on_hang_up)
    : io_(io),
      glib_(glib),
      trust_(trust),
      links_(links),
      config_(std::move(config)),
      on_link_event_(std::move(on_link_event)),
      on_hang_up_(std::move(on_hang_up)),
      question_timer_(io) {
  policy_.is_stream = config_.is_stream;
  policy_.accept = config_.accept;
  if (policy_.accept == AcceptMode::kAsk && !config_.questions) policy_.accept = AcceptMode::kInvited;
  policy_.invitation = config_.invitation;
  policy_.known_peer = [this](const std::string& fp) { return trust_.known_name(fp); };
}

CallServer::~CallServer() {
  stop();
  *alive_ = false;
}

Result<uint16_t> CallServer::start() {
  SignallingServerConfig sc;
  sc.bind_address = config_.bind;
  sc.port = config_.port;
  sc.certificate_pem = trust_.identity()->certificate_pem();
  sc.private_key_pem = trust_.identity()->key_pem();
  sc.page_html = config_.page_html;
  auto on_offer_route = [this](const std::string& s, const OfferContext& c, OfferResponder reply) {
    on_offer(s, c, std::move(reply));
  };
  sc.offer_routes = {{"/whip", nullptr, on_offer_route}, {"/whep", nullptr, on_offer_route}};
  sc.on_hangup = [this](const std::string& id) { return on_hang_up(id); };
  server_ = std::make_unique<SignallingServer>(io_, std::move(sc));
  auto port = server_->listen();
  if (!port) return port;
  prepare_agent();
  if (!next_agent_) return Error{gather_error_};
  if (config_.accept == AcceptMode::kAny)
    spdlog::warn("--accept any: ANYONE who reaches port {} gets {}, without an invitation code", *port,
                 config_.is_stream ? "the stream" : "through to you");
  return port;
}

void CallServer::stop() {
  question_timer_.cancel();
  if (config_.questions) config_.questions->cancel();
  if (server_) server_->stop();
  next_agent_.reset();
}

void CallServer::prepare_agent() {
  auto gathered = start_gathering(glib_, io_, config_.ice);
  if (!gathered) {
    gather_error_ = gathered.error();
    spdlog::error("ICE: {}", gathered.error());
    next_agent_.reset();
    return;
  }
  next_agent_ = std::move(*gathered);
  next_agent_->relay->on_gathering_done = [this] {
    if (next_agent_) next_agent_->gathered = true;
  };
}

void CallServer::on_offer(const std::string& sdp, const OfferContext& context, OfferResponder reply) {
  std::optional<IncomingCaller> ask;
  OfferResult result = answer_offer(sdp, context, false, ask);
  if (ask) return put_question(*ask, sdp, context, std::move(reply));
  reply(std::move(result));
}

void CallServer::put_question(const IncomingCaller& caller, const std::string& sdp, const OfferContext& context,
                              OfferResponder reply) {
  std::weak_ptr<bool> alive = alive_;
  auto decide = [this, alive, sdp, context, reply, who = caller.address](bool accepted, const std::string& why) {
    // From the main thread (a key) or ours (the timer): finish on ours.
    asio::post(io_, [this, alive, sdp, context, reply, who, accepted, why] {
      auto still = alive.lock();
      if (!still || !*still) return reply({503, "", "", "shutting down"});
      question_timer_.cancel();
      if (!accepted) {
        spdlog::info("declined {}: {}", who, why);
        const std::string text = why == "declined" ? "the other side declined the call"
                                 : why == "shutting down"
                                     ? "the other side hung up"
                                     : "the other side did not accept the call (" + why + ")";
        return reply({403, "", "", text, {{"Peercall-Decision", "declined"}}});
      }
      std::optional<IncomingCaller> again;
      reply(answer_offer(sdp, context, true, again));
    });
  };
  const Instant deadline = Clock::now() + AdmissionQuestions::kTimeout;
  if (!config_.questions->ask(caller, deadline, decide)) {
    spdlog::info("{}: refused, already asking about another caller", describe_caller(caller));
    return reply({503, "", "", "busy: the other side is answering another caller; try again in a moment"});
  }
  // One line for the question, one for the keys: a bell, so it is noticed.
  std::fprintf(stderr, "\a\npeercall: %s, not invited: let in?\n  a or y = accept, d or n = decline (%lld s)\n",
               describe_caller(caller).c_str(),
               static_cast<long long>(to_micros(AdmissionQuestions::kTimeout) / 1000000));
  question_timer_.expires_at(deadline);
  question_timer_.async_wait([this, questions = config_.questions](const boost::system::error_code& ec) {
    if (!ec) questions->expire(Clock::now());
  });
}

OfferResult CallServer::answer_offer(const std::string& offer_sdp, const OfferContext& context,
                                     bool accepted_by_user, std::optional<IncomingCaller>& ask) {
  if (shutting_down) return {503, "", "", "shutting down"};
  auto offer = parse_sdp(offer_sdp);
  if (!offer) return {400, "", "", std::string("bad sdp: ") + offer.error()};
  if (!next_agent_ || !next_agent_->gathered) {
    if (!next_agent_) prepare_agent();
    return {503, "", "", "not ready yet: try again in a moment"};
  }
  GatheredAgent& agent = *next_agent_;
  LocalMediaConfig local = config_.local_media();
  local.transport.ice_ufrag = agent.agent->local_credentials().ufrag;
  local.transport.ice_pwd = agent.agent->local_credentials().pwd;
  local.transport.candidates = agent.agent->local_candidates();
  local.transport.fingerprint = trust_.own_fingerprint();
  auto answer = create_answer(*offer, local);
  if (!answer) return {488, "", "", std::string("cannot agree on media: ") + answer.error()};
  const Negotiated& negotiated = answer->second;

  AdmissionRequest request{context.path, context.bearer_token,
                           normalize_fingerprint(negotiated.remote.fingerprint).value_or(""),
                           context.remote_address};
  AdmissionDecision decision = policy_.decide(request);
  if (decision.ask && accepted_by_user) {
    decision.admitted = true;
    decision.log = "accepted by you";
  }
  if (!decision.admitted && !decision.ask) {
    spdlog::warn("{}", decision.log);
    return {decision.status, "", "", decision.reply};
  }
  if (links_.size() >= config_.max_peers) {
    if (config_.is_stream)
      return {503, "", "", "stream full: " + std::to_string(config_.max_peers) + " viewers"};
    return {409, "", "", "busy: already in a call"};
  }
  if (!decision.admitted) {  // busy or not, first: nobody is asked about a call that cannot happen
    ask = IncomingCaller{context.remote_address, request.fingerprint, caller_name(offer->session_name),
                         config_.is_stream};
    return {};
  }
  auto connection_cfg = connection_config(negotiated, local, trust_.identity());
  if (!connection_cfg) return {400, "", "", connection_cfg.error()};
  connection_cfg->session.peer_timeout = config_.peer_timeout;
  auto connection = PeerConnection::create(*connection_cfg, Clock::now());
  if (!connection) return {500, "", "", connection.error()};
  const std::string id = random_session_id();
  if (id.empty()) return {500, "", "", "no randomness for a session id"};

  GatheredAgent taken = std::move(agent);
  next_agent_.reset();
  auto link = std::make_unique<PeerLink>(
      io_, std::move(taken), std::move(*connection), config_.connect_timeout,
      [this, id](PeerLink&, SessionEvent event) { on_link_event_(id, std::move(event)); });
  if (auto ok = link->connect({negotiated.remote.ice_ufrag, negotiated.remote.ice_pwd},
                              negotiated.remote.candidates);
      !ok) {
    prepare_agent();
    return {400, "", "", "no usable ICE candidate in the offer: " + ok.error()};
  }
  links_.add(id, std::move(link));
  prepare_agent();  // for the next viewer (or the next call after this one)
  const std::string who = context.remote_address + " (" + decision.log + ")";
  if (config_.is_stream)
    spdlog::info("viewer {} joined ({} watching)", who, links_.size());
  else
    spdlog::info("call from {}", who);
  return {201, write_sdp(answer->first), id, ""};
}

bool CallServer::on_hang_up(const std::string& id) {
  if (!links_.contains(id)) return false;
  on_hang_up_(id, config_.is_stream ? "viewer left" : "the other side hung up");
  return true;
}

}  // namespace peercall
