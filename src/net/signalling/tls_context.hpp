#pragma once
// TLS settings shared by the signalling server and client: TLS 1.2 or newer
// only. The server presents the user's own certificate; the client does no CA
// verification (peers use self-signed certificates, and the app pins the
// server certificate's fingerprint instead), so it exposes the certificate.
#include "core/asio.hpp"

#include <boost/asio/ssl.hpp>
#include <memory>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace peercall {

// From PEM text (a certificate, optionally followed by its chain, and the
// matching private key). Errors: "signalling: bad certificate: ...".
Result<std::shared_ptr<asio::ssl::context>> make_server_tls_context(const std::string& certificate_pem,
                                                                    const std::string& private_key_pem);

std::shared_ptr<asio::ssl::context> make_client_tls_context();

// The DER bytes of the certificate the other end of `ssl` presented (empty if none).
Bytes peer_certificate_der(SSL* ssl);

// OpenSSL's reason for a failed TLS operation, short and lower case
// ("wrong version number"), or the error code's message.
std::string tls_error_text(const boost::system::error_code& ec);

}  // namespace peercall
