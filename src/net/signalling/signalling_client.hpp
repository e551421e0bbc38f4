#pragma once
// The caller side of call setup over HTTPS: POSTs an SDP offer, gets the answer
// and the session's Location, later DELETEs it. TLS 1.2+ without CA checks
// (peers use self-signed certificates): the app pins the server certificate by
// its fingerprint, from server_certificate_der(). Blocking with timeouts; it
// runs its own private io_context on the calling thread. Not thread-safe.
#include "core/asio.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace peercall {

// Whatever HTTP answer came back to an offer.
struct OfferReply {
  int status = 0;
  std::string sdp;       // 201: the SDP answer
  std::string location;  // 201: the session, e.g. "/session/3f2a"
  std::string etag;      // 201: if the server sent one
  std::string text;      // otherwise: the server's text, one printable line ("busy: already in a call")
  std::string message;   // otherwise: a line for the user, "offer refused by HOST:PORT: 409 Conflict: busy: ..."
  bool ok() const { return status == 201; }
};

class SignallingClient {
 public:
  // Resolves, connects and does the TLS handshake; `timeout` covers all.
  // Errors are one-liners, e.g. "cannot reach 127.0.0.1:5000: connection
  // refused (is `peercall listen` running there?)", or "127.0.0.1:5000 did not
  // answer TLS: is it an old peercall? (wrong version number)".
  // `listener` names what should run there, for that hint ("peercall stream"
  // when watching).
  static Result<std::unique_ptr<SignallingClient>> connect(const std::string& host, uint16_t port,
                                                           std::chrono::milliseconds timeout,
                                                           const std::string& listener = "peercall listen");
  ~SignallingClient();
  SignallingClient(const SignallingClient&) = delete;
  SignallingClient& operator=(const SignallingClient&) = delete;

  // Our address on this connection (for the SDP offer's c= line), and the
  // server's. IPv4-mapped IPv6 addresses are shown as plain IPv4.
  std::string local_address() const { return local_address_; }
  std::string remote_address() const { return remote_address_; }
  // The certificate the server presented (DER), to check its fingerprint.
  const Bytes& server_certificate_der() const { return certificate_der_; }

  // POST `offer_sdp` to `path` ("/whip"), with "Authorization: Bearer TOKEN"
  // unless `bearer_token` is empty. Any HTTP answer is an OfferReply (see
  // status); an Error means no usable answer came (transport failure, timeout,
  // or a 201 without Location or SDP).
  //
  // A listener that asks its user first says so with an interim "102" answer:
  // then `on_waiting` is called (once) and the wait is extended to
  // kDecisionTimeout from then. A declined call (the answer carries
  // "Peercall-Decision: declined") has the server's text alone as message:
  // "the other side declined the call".
  static constexpr std::chrono::seconds kDecisionTimeout{36};
  Result<OfferReply> post_offer(const std::string& path, const std::string& offer_sdp,
                                const std::string& bearer_token, std::chrono::milliseconds timeout,
                                const std::function<void()>& on_waiting = {});
  // DELETE `location`; reconnects if the server closed the idle connection.
  Result<Done> hang_up(const std::string& location, std::chrono::milliseconds timeout);

 private:
  using Clock = std::chrono::steady_clock;
  using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  SignallingClient(std::string host, uint16_t port);
  Result<Done> open(const std::vector<asio::ip::tcp::endpoint>& endpoints, Clock::time_point deadline,
                    std::chrono::milliseconds timeout);
  Result<Response> exchange(Request request, std::chrono::milliseconds timeout,
                            const std::function<void()>& on_interim = {});
  void run();  // until every started operation completed (each has a deadline)
  void drop_connection();
  std::string peer() const;

  asio::io_context io_;
  std::shared_ptr<asio::ssl::context> tls_;
  std::optional<Stream> stream_;
  boost::beast::flat_buffer buffer_;
  std::string host_;
  uint16_t port_;
  std::string listener_;  // "peercall listen": what a refused connection suggests
  asio::ip::tcp::endpoint endpoint_;  // the server that answered: reconnects go there
  std::string local_address_;
  std::string remote_address_;
  Bytes certificate_der_;
};

}  // namespace peercall
