#pragma once
// The signalling routes as a pure function from request to response, so every
// rule is testable without sockets:
//   GET / and GET /call          -> the served page (strict CSP, no CORS)
//   POST <offer path> (sdp)      -> offer handler; 201, Location: /session/<id>, SDP answer
//   DELETE /session/<id>         -> hang-up handler; 200, or 404 if unknown
//   PATCH                        -> 405: no trickle ICE (we send complete offers)
//   OPTIONS                      -> 204 with Allow, Accept-Post and a CORS preflight answer
// The router never judges bearer tokens: it hands them to the offer handler,
// which answers 401/403/409/503 itself. CORS grants (Access-Control-Allow-Origin
// echoing the Origin, never "*") go only on successful answers.
#include "core/asio.hpp"

#include <boost/beast/http.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace peercall {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// What the server knows about an offer besides its SDP.
struct OfferContext {
  std::string remote_address;
  std::string local_address;  // the address the peer reached us on: use it in the SDP answer's c= line
  std::string user_agent;
  std::string bearer_token;   // from "Authorization: Bearer TOKEN"; empty if none
  std::string origin;         // the Origin header (browsers); empty if none
  std::string path;           // the offer path, e.g. "/whip" or "/whep" (no query)
};

struct OfferResult {
  int status = 201;         // 201, or 4xx/5xx with `error` (409 "busy: already in a call", 401 "bad token")
  std::string answer_sdp;
  std::string session_id;   // letters, digits and "-._~": it becomes a URL path segment
  std::string error;        // one line of text for the other side
  std::vector<std::pair<std::string, std::string>> headers = {};  // extra, e.g. {"ETag", "\"v1\""}
};

// The answer to an offer, given once, now or later (e.g. after the user was
// asked). May be called from any thread; calls after the first are ignored,
// and so is a reply after the connection gave up (deadline, peer gone).
using OfferResponder = std::function<void(OfferResult)>;
// Answers by calling `reply`. Runs on the network thread; must not block it.
using AsyncOfferHandler = std::function<void(const std::string& offer_sdp, const OfferContext&, OfferResponder reply)>;
// The synchronous convenience: the result is the reply.
using OfferHandler = std::function<OfferResult(const std::string& offer_sdp, const OfferContext&)>;
using HangupHandler = std::function<bool(const std::string& session_id)>;  // false -> 404

// One accepted offer path, e.g. {"/whip", on_call} and {"/whep", on_viewer}.
// One of the two handlers is set; the asynchronous one wins if both are.
struct OfferRoute {
  std::string path;
  OfferHandler handler;
  AsyncOfferHandler async_handler = {};
};

// Where a response goes: called once, on the network thread.
using Respond = std::function<void(HttpResponse)>;

class SignallingRouter {
 public:
  SignallingRouter(std::string page_html, std::vector<OfferRoute> offer_routes, HangupHandler on_hangup);

  // `context` carries the connection's addresses; the rest of it is taken from
  // the request. Handler exceptions become 500s: a bad handler must not take
  // the server down. `respond` is called once: at once, or later when an
  // asynchronous offer handler replies (returns false then: a reply is pending).
  bool handle(const HttpRequest& request, OfferContext context, Respond respond) const;
  // For handlers that reply at once (tests, sync routes): the response, or a
  // 500 if an asynchronous handler did not reply before returning.
  HttpResponse handle(const HttpRequest& request, OfferContext context) const;

  // A plain-text error response (also for requests the parser rejected).
  static HttpResponse error_response(int status, std::string_view message, unsigned version = 11);

  // The page's security headers' policy, for tests and documentation.
  static constexpr const char* kContentSecurityPolicy =
      "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; "
      "media-src blob: mediastream:; connect-src 'self'";

 private:
  const OfferRoute* offer_route(std::string_view path) const;
  HttpResponse page(const HttpRequest& request) const;
  bool post_offer(const HttpRequest& request, const OfferRoute& route, OfferContext context,
                  const Respond& respond) const;
  HttpResponse delete_session(const HttpRequest& request, const std::string& id) const;
  HttpResponse options(const HttpRequest& request, std::string_view allow, bool accepts_post) const;

  // The HTTP response for a handler's result.
  static HttpResponse offer_response(OfferResult result, const std::string& origin, unsigned version);

  std::string page_html_;
  std::vector<OfferRoute> offer_routes_;
  HangupHandler on_hangup_;
};

}  // namespace peercall
