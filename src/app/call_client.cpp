#include "app/call_client.hpp"

#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <future>
#include <thread>

#include "app/connection_config.hpp"
#include "identity/fingerprint.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"

namespace peercall {
namespace {

constexpr auto kSignallingTimeout = std::chrono::seconds(5);
constexpr auto kGatheringTimeout = std::chrono::seconds(10);
constexpr auto kHangUpTimeout = std::chrono::milliseconds(800);
// A listener prepares one connection ahead; a second caller arriving while it
// prepares the next is told 503 "not ready yet": asked again this often, up
// to this many times (about 2 s), before it counts as refused.
constexpr auto kNotReadyRetryDelay = std::chrono::milliseconds(250);
constexpr int kNotReadyRetries = 8;

std::string fingerprint_of_der(const Bytes& der) {
  const unsigned char* p = der.data();
  X509* cert = d2i_X509(nullptr, &p, long(der.size()));
  if (!cert) return {};
  std::string fp = fingerprint_of(cert).to_string();
  X509_free(cert);
  return fp;
}

CallFailure refused(std::string why) { return {true, std::move(why)}; }

}  // namespace

CallClient::CallClient(asio::io_context& io, GlibLoopThread& glib, PeerTrust& trust, LinkSet& links,
                       CallClientConfig config, LinkEvent on_link_event)
    : io_(io),
      glib_(glib),
      trust_(trust),
      links_(links),
      config_(std::move(config)),
      on_link_event_(std::move(on_link_event)) {}

std::optional<CallFailure> CallClient::place_call() {
  const std::string target = config_.host + ":" + std::to_string(config_.port);
  spdlog::info("calling {} ...", target);
  auto client = SignallingClient::connect(config_.host, config_.port, kSignallingTimeout,
                                         config_.watch ? "peercall stream" : "peercall listen");
  if (!client) return refused(client.error());
  client_ = std::move(*client);
  const std::string server_fp = fingerprint_of_der(client_->server_certificate_der());
  if (server_fp.empty()) return refused(target + " presented no usable certificate");
  if (auto ok = trust_.check_peer(server_fp); !ok) return refused(ok.error());

  // Gather on the network thread; wait here (bounded).
  // The promise is shared: gathering may finish after we stopped waiting.
  auto gathered = std::make_shared<std::promise<Result<GatheredAgent>>>();
  auto done = gathered->get_future();
  asio::post(io_, [this, gathered] {
    auto agent = start_gathering(glib_, io_, config_.ice);
    if (!agent) return gathered->set_value(Error{agent.error()});
    auto shared = std::make_shared<GatheredAgent>(std::move(*agent));
    IceRelay& relay = *shared->relay;
    relay.on_gathering_done = [shared, gathered]() mutable {
      if (!shared) return;
      shared->gathered = true;
      auto ready = std::move(shared);  // breaks the relay -> lambda -> agent cycle
      gathered->set_value(std::move(*ready));
    };
  });
  if (done.wait_for(kGatheringTimeout) != std::future_status::ready)
    return CallFailure{false, "ICE: gathering candidates took over 10 s"};
  auto agent = done.get();
  if (!agent) return CallFailure{false, "ICE: " + agent.error()};

  LocalMediaConfig local = config_.local;
  local.transport.ice_ufrag = agent->agent->local_credentials().ufrag;
  local.transport.ice_pwd = agent->agent->local_credentials().pwd;
  local.transport.candidates = agent->agent->local_candidates();
  local.transport.fingerprint = trust_.own_fingerprint();
  const SessionDescription offer = create_offer(local);
  auto post = [&] {
    return client_->post_offer(config_.watch ? "/whep" : "/whip", write_sdp(offer), config_.code,
                               kSignallingTimeout,
                               [] { spdlog::info("waiting for the other side to accept ..."); });
  };
  auto reply = post();
  for (int retry = 0; retry < kNotReadyRetries && reply && reply->status == 503 &&
                      reply->text.rfind("not ready yet", 0) == 0;
       ++retry) {
    spdlog::debug("{}: {}; asking again", target, reply->text);
    std::this_thread::sleep_for(kNotReadyRetryDelay);
    reply = post();
  }
  auto release = [&] { asio::post(io_, [a = std::make_shared<GatheredAgent>(std::move(*agent))] {}); };
  if (!reply) {
    release();
    return refused(reply.error());
  }
  if (!reply->ok()) {
    release();
    return refused(reply->message);
  }
  auto answer_sdp = parse_sdp(reply->sdp);
  if (!answer_sdp) {
    release();
    return refused(std::string("the other side sent a bad answer: ") + answer_sdp.error());
  }
  auto negotiated = apply_answer(offer, *answer_sdp);
  if (!negotiated) {
    release();
    return refused(std::string("cannot agree on media: ") + negotiated.error());
  }
  if (normalize_fingerprint(negotiated->remote.fingerprint).value_or("") != server_fp) {
    release();
    return refused("the answer's DTLS fingerprint is not the certificate " + target +
                   " showed over HTTPS: refused (someone in the middle?)");
  }
  remote_fingerprint_ = server_fp;
  location_ = reply->location;
  auto cfg = connection_config(*negotiated, local, trust_.identity());
  if (!cfg) {
    release();
    return refused(cfg.error());
  }
  cfg->session.peer_timeout = config_.peer_timeout;
  auto connection = PeerConnection::create(*cfg, Clock::now());
  if (!connection) {
    release();
    return CallFailure{false, connection.error()};
  }
  // The link lives on the network thread from here on.
  std::promise<Result<Done>> started;
  auto started_f = started.get_future();
  auto holder = std::make_shared<std::unique_ptr<PeerConnection>>(std::move(*connection));
  asio::post(io_, [&, holder] {
    auto link = std::make_unique<PeerLink>(
        io_, std::move(*agent), std::move(*holder),
        config_.connect_timeout,
        [this](PeerLink&, SessionEvent event) { on_link_event_("peer", std::move(event)); });
    auto ok = link->connect({negotiated->remote.ice_ufrag, negotiated->remote.ice_pwd},
                            negotiated->remote.candidates);
    if (ok) links_.add("peer", std::move(link));
    started.set_value(ok);
  });
  auto ok = started_f.get();
  if (!ok) return refused("no usable ICE candidate in the answer: " + ok.error());
  return std::nullopt;
}

void CallClient::hang_up() {
  if (client_ && !location_.empty()) client_->hang_up(location_, kHangUpTimeout);
}

}  // namespace peercall
