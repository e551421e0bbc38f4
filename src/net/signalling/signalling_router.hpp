#pragma once
// The WHIP-style (RFC 9725) routes as a pure function from request to response,
// so the rules are testable without sockets:
//   POST /whip (or /)  application/sdp offer -> 201, Location: /session/<id>, SDP answer
//   DELETE /session/<id>                    -> 200, or 404 if unknown
//   OPTIONS                                 -> 204 with Allow, Accept-Post and CORS headers
//   GET /                                   -> 200 "peercall <version>" (health check)
#include <functional>
#include <string>
#include <string_view>

#include "net/http/http_message.hpp"

namespace peercall {

struct OfferContext {
  std::string remote_address;
  std::string local_address;  // the address the peer reached us on: use it in the SDP answer's c= line
  std::string user_agent;
};

struct OfferResult {
  int status = 201;         // 201, or 4xx/5xx with `error` (409 "busy: already in a call", 400 "bad sdp: ...")
  std::string answer_sdp;
  std::string session_id;   // letters, digits and "-._~": it becomes a URL path segment
  std::string error;
};

using OfferHandler = std::function<OfferResult(const std::string& offer_sdp, const OfferContext&)>;
using HangupHandler = std::function<bool(const std::string& session_id)>;  // false -> 404

class SignallingRouter {
 public:
  SignallingRouter(OfferHandler on_offer, HangupHandler on_hangup);

  // `context` carries the addresses; the user agent is taken from the request.
  // Handler exceptions become 500s: a bad handler must not take the server down.
  HttpResponse handle(const HttpRequest& request, OfferContext context) const;

  // A plain-text error response (also for requests the parser rejected).
  static HttpResponse error_response(int status, std::string_view message);

 private:
  HttpResponse post_offer(const HttpRequest& request, OfferContext context) const;
  HttpResponse delete_session(const std::string& id) const;

  OfferHandler on_offer_;
  HangupHandler on_hangup_;
};

}  // namespace peercall
