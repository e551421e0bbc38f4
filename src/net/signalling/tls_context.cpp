#include "net/signalling/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace peercall {
namespace {

constexpr long kOptions = asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression |
                          asio::ssl::context::single_dh_use;

void require_tls12(asio::ssl::context& context) {
  boost::system::error_code ignored;
  context.set_options(kOptions, ignored);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
}

}  // namespace

Result<std::shared_ptr<asio::ssl::context>> make_server_tls_context(const std::string& certificate_pem,
                                                                    const std::string& private_key_pem) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  require_tls12(*context);
  if (certificate_pem.empty()) return Error{"signalling: no certificate given"};
  if (private_key_pem.empty()) return Error{"signalling: no private key given"};
  boost::system::error_code ec;
  context->use_certificate_chain(asio::buffer(certificate_pem), ec);
  if (ec) return Error{"signalling: bad certificate: " + tls_error_text(ec)};
  context->use_private_key(asio::buffer(private_key_pem), asio::ssl::context::pem, ec);
  bool mismatch = ec && ec.category() == asio::error::get_ssl_category() &&
                  ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH;
  if (ec && !mismatch) return Error{"signalling: bad private key: " + tls_error_text(ec)};
  if (mismatch || SSL_CTX_check_private_key(context->native_handle()) != 1) {
    ERR_clear_error();
    return Error{"signalling: the private key does not match the certificate"};
  }
  return context;
}

std::shared_ptr<asio::ssl::context> make_client_tls_context() {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  require_tls12(*context);
  context->set_verify_mode(asio::ssl::verify_none);  // identity is checked by fingerprint
  return context;
}

Bytes peer_certificate_der(SSL* ssl) {
  X509* certificate = SSL_get1_peer_certificate(ssl);
  if (!certificate) return {};
  Bytes out;
  int size = i2d_X509(certificate, nullptr);
  if (size > 0) {
    out.resize(static_cast<size_t>(size));
    unsigned char* cursor = out.data();
    if (i2d_X509(certificate, &cursor) != size) out.clear();
  }
  X509_free(certificate);
  return out;
}

std::string tls_error_text(const boost::system::error_code& ec) {
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    if (reason) return reason;
  }
  if (ec == asio::ssl::error::stream_truncated) return "the connection was closed during the TLS handshake";
  std::string message = ec.message();
  if (!message.empty() && message[0] >= 'A' && message[0] <= 'Z') message[0] = char(message[0] - 'A' + 'a');
  return message;
}

}  // namespace peercall
