#pragma once
// The listening side's call set-up (listen, stream): serves HTTPS signalling
// and the guest page, admits invited or known callers (or, by --accept, asks
// our user about the others, or lets everyone in), answers their offers
// with an ICE agent gathered in advance (so an answer never waits for
// gathering), and hands each admitted peer to the link set as a PeerLink.
// Runs on the network thread.
#include <functional>
#include <memory>
#include <string>

#include "app/admission.hpp"
#include "app/ice_relay.hpp"
#include "app/link_set.hpp"
#include "app/peer_trust.hpp"
#include "net/signalling/signalling_server.hpp"
#include "sdp/offer_answer.hpp"

namespace peercall {

struct CallServerConfig {
  bool is_stream = false;
  size_t max_peers = 1;
  std::string bind;
  uint16_t port = 0;
  std::string invitation;
  AcceptMode accept = AcceptMode::kInvited;
  // --accept ask: where the question goes (the main loop feeds it keys).
  std::shared_ptr<AdmissionQuestions> questions;
  IceConfig ice;
  Duration peer_timeout = seconds(15);  // a silent peer is given up after this
  Duration connect_timeout = seconds(10);
  std::string page_html;
  // What we send and receive, without the transport (filled per answer).
  std::function<LocalMediaConfig()> local_media;
};

class CallServer {
 public:
  using LinkEvent = std::function<void(const std::string& id, SessionEvent)>;
  // Called when a peer was admitted (a log line) and when it hangs up by HTTP DELETE.
  using Notice = std::function<void(const std::string& id, const std::string& line)>;

  CallServer(asio::io_context& io, GlibLoopThread& glib, PeerTrust& trust, LinkSet& links,
             CallServerConfig config, LinkEvent on_link_event, Notice on_hang_up);
  ~CallServer();

  // Binds the port and gathers the first agent; the bound port.
  Result<uint16_t> start();
  void stop();
  bool shutting_down = false;

 private:
  // Answers at once, or after our user decided (--accept ask).
  void on_offer(const std::string& sdp, const OfferContext& context, OfferResponder reply);
  // The answer to an offer. `accepted_by_user`: our user let this caller in.
  // Sets `ask` (and returns nothing useful) when our user must decide first.
  OfferResult answer_offer(const std::string& sdp, const OfferContext& context, bool accepted_by_user,
                           std::optional<IncomingCaller>& ask);
  void put_question(const IncomingCaller& caller, const std::string& sdp, const OfferContext& context,
                    OfferResponder reply);
  bool on_hang_up(const std::string& id);
  void prepare_agent();

  asio::io_context& io_;
  GlibLoopThread& glib_;
  PeerTrust& trust_;
  LinkSet& links_;
  CallServerConfig config_;
  AdmissionPolicy policy_;
  LinkEvent on_link_event_;
  Notice on_hang_up_;
  std::unique_ptr<SignallingServer> server_;
  std::optional<GatheredAgent> next_agent_;
  std::string gather_error_;
  asio::steady_timer question_timer_;
  // Posted work checks it: a decision may arrive after we are gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace peercall
