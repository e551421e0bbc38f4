#include "security/dtls_endpoint.hpp"

#include <openssl/srtp.h>

#include <cstdio>

#include "security/dtls_context.hpp"
#include "security/dtls_records.hpp"

namespace peercall {
namespace {

// OpenSSL 3.0 keeps its DTLS timer on the real clock. Returning an hour here
// means it never expires by itself within a handshake: our virtual deadlines
// decide every retransmission (see retransmit()). A short value would not do:
// OpenSSL treats anything under 15 ms as already expired and then retransmits
// from inside every read (rec_layer_d1.c), up to its 12-timeout fatal limit.
unsigned int openssl_timer_never_fires(SSL*, unsigned int) { return 3600u * 1000u * 1000u; }

constexpr size_t kMaxQueuedDatagrams = 256;
constexpr size_t kMaxQueuedApplicationData = 256;
const char kExporterLabel[] = "EXTRACTOR-dtls_srtp";  // RFC 5764 4.2

std::string seconds_text(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", to_seconds(d));
  return buf;
}

std::optional<SrtpProfile> profile_from_openssl(unsigned long id) {
  if (id == SRTP_AEAD_AES_128_GCM) return SrtpProfile::kAeadAes128Gcm;
  if (id == SRTP_AES128_CM_SHA1_80) return SrtpProfile::kAes128CmSha1_80;
  return std::nullopt;
}

// RFC 5764 4.2: the exporter output is client key, server key, client salt, server salt.
Result<SrtpKeyMaterial> export_srtp_keys(SSL* ssl, SrtpProfile profile, DtlsRole role) {
  const size_t key = srtp_master_key_bytes(profile), salt = srtp_master_salt_bytes(profile);
  Bytes block(2 * (key + salt));
  if (SSL_export_keying_material(ssl, block.data(), block.size(), kExporterLabel,
                                 sizeof kExporterLabel - 1, nullptr, 0, 0) != 1)
    return Error("dtls: cannot export the SRTP keys: " + take_openssl_error());
  auto part = [&](size_t at, size_t n) { return Bytes(block.begin() + at, block.begin() + at + n); };
  Bytes client = part(0, key), server = part(key, key);
  Bytes client_salt = part(2 * key, salt), server_salt = part(2 * key + salt, salt);
  client.insert(client.end(), client_salt.begin(), client_salt.end());
  server.insert(server.end(), server_salt.begin(), server_salt.end());
  bool is_client = role == DtlsRole::kClient;
  return SrtpKeyMaterial{profile, is_client ? client : server, is_client ? server : client};
}

}  // namespace

const char* to_string(DtlsState state) {
  switch (state) {
    case DtlsState::kNew: return "new";
    case DtlsState::kConnecting: return "connecting";
    case DtlsState::kConnected: return "connected";
    case DtlsState::kFailed: return "failed";
    case DtlsState::kClosed: return "closed";
  }
  return "?";
}

DtlsEndpoint::DtlsEndpoint(const DtlsConfig& config)
    : config_(config), timer_(config.initial_retransmit, config.max_retransmit) {
  queues_.mtu = config.mtu;
}

DtlsEndpoint::~DtlsEndpoint() = default;

Result<std::unique_ptr<DtlsEndpoint>> DtlsEndpoint::create(const DtlsConfig& config, Instant) {
  if (!config.identity) return Error("dtls: no identity (key and certificate) given");
  if (config.mtu < 256 || config.mtu > 65535) return Error("dtls: the MTU must be 256..65535 bytes");
  if (config.initial_retransmit <= Duration::zero() || config.max_retransmit < config.initial_retransmit)
    return Error("dtls: bad retransmission intervals");
  std::unique_ptr<DtlsEndpoint> self(new DtlsEndpoint(config));
  auto ctx = make_dtls_context(*config.identity, config.profiles);
  if (!ctx) return Error(ctx.error());
  self->ctx_ = std::move(*ctx);
  self->ssl_.reset(SSL_new(self->ctx_.get()));
  BIO* bio = new_datagram_bio(&self->queues_);
  if (!self->ssl_ || !bio) {
    BIO_free(bio);
    return Error("dtls: cannot create the connection: " + take_openssl_error());
  }
  SSL* ssl = self->ssl_.get();
  SSL_set_bio(ssl, bio, bio);  // takes the one reference for both directions
  SSL_set_app_data(ssl, self.get());
  SSL_set_info_callback(ssl, info_callback);
  DTLS_set_timer_cb(ssl, openssl_timer_never_fires);
  SSL_set_options(ssl, SSL_OP_NO_QUERY_MTU);
  if (DTLS_set_link_mtu(ssl, long(config.mtu)) != 1)
    return Error("dtls: MTU " + std::to_string(config.mtu) + " is too small");
  if (config.role == DtlsRole::kClient)
    SSL_set_connect_state(ssl);
  else
    SSL_set_accept_state(ssl);
  return self;
}

void DtlsEndpoint::start(Instant now) {
  if (state_ != DtlsState::kNew) return;
  state_ = DtlsState::kConnecting;
  handshake_deadline_ = now + config_.handshake_timeout;
  drive(now);
}

void DtlsEndpoint::set_expected_remote(const Fingerprint& fingerprint) {
  config_.expected_remote = fingerprint;
  if (state_ == DtlsState::kConnecting && handshake_finished_) {
    check_fingerprint();
    if (state_ == DtlsState::kConnected) read_application_data();
  } else if (state_ == DtlsState::kConnected) {
    check_fingerprint();  // a changed SDP must still match what we talk to
  }
}

void DtlsEndpoint::handle_datagram(ByteView datagram, Instant now) {
  auto records = count_dtls_records(datagram);
  if (!records) {
    ++stats_.malformed_dropped;
    return;
  }
  if (state_ == DtlsState::kFailed || state_ == DtlsState::kClosed) return;
  stats_.records_in += *records;
  if (queues_.in.size() >= kMaxQueuedDatagrams) {
    ++stats_.overflow_dropped;
    return;
  }
  queues_.in.emplace_back(datagram.begin(), datagram.end());
  if (state_ == DtlsState::kNew) {
    if (config_.role == DtlsRole::kServer) start(now);  // the ClientHello is the signal
    return;                                             // a client reads it after start()
  }
  if (handshake_deadline_ && now >= *handshake_deadline_ && state_ == DtlsState::kConnecting) {
    handle_timeout(now);
    return;
  }
  drive(now);
}

void DtlsEndpoint::handle_timeout(Instant now) {
  if (state_ != DtlsState::kConnecting) return;
  if (handshake_deadline_ && now >= *handshake_deadline_) {
    fail(handshake_finished_ && !config_.expected_remote
             ? "the DTLS handshake finished but the peer's fingerprint was not known within " +
                   seconds_text(config_.handshake_timeout)
             : "DTLS handshake did not finish within " + seconds_text(config_.handshake_timeout));
    return;
  }
  if (timer_.expired(now)) retransmit(now);
}

std::optional<Instant> DtlsEndpoint::next_timeout() const {
  if (state_ != DtlsState::kConnecting) return std::nullopt;
  std::optional<Instant> next = handshake_deadline_;
  if (auto t = timer_.deadline(); t && (!next || *t < *next)) next = t;
  return next;
}

std::optional<Bytes> DtlsEndpoint::poll_datagram() {
  if (queues_.out.empty()) return std::nullopt;
  Bytes datagram = std::move(queues_.out.front());
  queues_.out.pop_front();
  stats_.records_out += count_dtls_records(datagram).value_or(1);
  return datagram;
}

std::optional<SrtpKeyMaterial> DtlsEndpoint::srtp_keys() const {
  if (state_ != DtlsState::kConnected) return std::nullopt;
  return keys_;
}

std::optional<Fingerprint> DtlsEndpoint::remote_fingerprint() const {
  if (!peer_cert_) return std::nullopt;
  if (config_.expected_remote) {
    auto fp = fingerprint_of(peer_cert_.get(), config_.expected_remote->algorithm);
    if (fp) return *fp;
  }
  return fingerprint_of(peer_cert_.get());
}

size_t DtlsEndpoint::max_application_data() const {
  if (state_ != DtlsState::kConnected) return 0;
  return DTLS_get_data_mtu(ssl_.get());
}

Result<Done> DtlsEndpoint::send_application_data(ByteView data, Instant) {
  if (state_ != DtlsState::kConnected)
    return Error(std::string("dtls: cannot send while ") + to_string(state_));
  if (data.empty()) return Done{};
  size_t limit = max_application_data();
  if (limit != 0 && data.size() > limit)
    return Error("dtls: " + std::to_string(data.size()) + " bytes do not fit one " +
                 std::to_string(config_.mtu) + "-byte datagram (at most " + std::to_string(limit) + ")");
  ERR_clear_error();
  if (SSL_write(ssl_.get(), data.data(), int(data.size())) <= 0)
    return Error("dtls: cannot send: " + take_openssl_error());
  return Done{};
}

std::optional<Bytes> DtlsEndpoint::poll_application_data() {
  if (application_in_.empty() || state_ == DtlsState::kNew || state_ == DtlsState::kConnecting)
    return std::nullopt;
  Bytes data = std::move(application_in_.front());
  application_in_.pop_front();
  return data;
}

void DtlsEndpoint::close(Instant) {
  if (state_ == DtlsState::kFailed || state_ == DtlsState::kClosed) return;
  if (handshake_finished_) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());  // queues close_notify; we do not wait for the peer's
    ERR_clear_error();
  }
  state_ = DtlsState::kClosed;
  timer_.reset();
}

// --- driving OpenSSL ---

void DtlsEndpoint::drive(Instant now) {
  if (state_ == DtlsState::kConnecting && !handshake_finished_) continue_handshake();
  // Also while waiting for the fingerprint: the peer may retransmit its last
  // flight, which OpenSSL answers from inside SSL_read.
  if (handshake_finished_ && (state_ == DtlsState::kConnecting || state_ == DtlsState::kConnected))
    read_application_data();
  sync_timer(now);
}

void DtlsEndpoint::continue_handshake() {
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_.get());
  if (r == 1) {
    on_handshake_finished();
    return;
  }
  int code = SSL_get_error(ssl_.get(), r);
  if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) return;
  if (code == SSL_ERROR_ZERO_RETURN) {
    state_ = DtlsState::kClosed;
    error_ = "the peer closed the DTLS connection during the handshake";
    return;
  }
  fail(handshake_error());
}

std::string DtlsEndpoint::handshake_error() {
  if (!peer_alert_.empty()) {
    ERR_clear_error();
    return "the peer ended the DTLS handshake with a fatal alert: " + peer_alert_;
  }
  return "DTLS handshake failed: " + take_openssl_error();
}

void DtlsEndpoint::on_handshake_finished() {
  handshake_finished_ = true;
  timer_.reset();
  peer_cert_.reset(SSL_get1_peer_certificate(ssl_.get()));
  if (!peer_cert_) {
    fail("the peer presented no certificate");
    return;
  }
  if (config_.expected_remote) check_fingerprint();
  // else: stay connecting until set_expected_remote() (or the deadline).
}

void DtlsEndpoint::check_fingerprint() {
  const Fingerprint& expected = *config_.expected_remote;
  auto actual = fingerprint_of(peer_cert_.get(), expected.algorithm);
  if (!actual || !(*actual == expected)) {
    std::string seen = actual ? actual->to_string() : fingerprint_of(peer_cert_.get()).to_string();
    fail("the peer's certificate is " + seen + " but " + expected.to_string() + " was expected");
    SSL_shutdown(ssl_.get());  // tell the peer at once instead of leaving it connected
    ERR_clear_error();
    return;
  }
  if (state_ == DtlsState::kConnected) return;
  if (!config_.profiles.empty()) {
    const SRTP_PROTECTION_PROFILE* chosen = SSL_get_selected_srtp_profile(ssl_.get());
    auto profile = chosen ? profile_from_openssl(chosen->id) : std::nullopt;
    if (!profile) {
      fail("the peer agreed on no SRTP profile (use_srtp): we offer only unsupported ones or it offers none");
      return;
    }
    auto keys = export_srtp_keys(ssl_.get(), *profile, config_.role);
    if (!keys) {
      fail(keys.error());
      return;
    }
    keys_ = std::move(*keys);
  }
  state_ = DtlsState::kConnected;
}

void DtlsEndpoint::read_application_data() {
  uint8_t buffer[16 * 1024 + 256];
  for (;;) {
    ERR_clear_error();
    int n = SSL_read(ssl_.get(), buffer, sizeof buffer);
    if (n > 0) {
      if (application_in_.size() < kMaxQueuedApplicationData)
        application_in_.emplace_back(buffer, buffer + n);
      else
        ++stats_.overflow_dropped;
      continue;
    }
    int code = SSL_get_error(ssl_.get(), n);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) return;
    if (code == SSL_ERROR_ZERO_RETURN) {
      state_ = DtlsState::kClosed;
      error_ = "the peer closed the DTLS connection";
      timer_.reset();
      return;
    }
    fail(peer_alert_.empty() ? "DTLS connection failed: " + take_openssl_error()
                             : "the peer ended the DTLS connection with a fatal alert: " + peer_alert_);
    return;
  }
}

// Our virtual deadline passed: mark OpenSSL's own timer as expired through the
// pointer it handed our BIO (datagram_bio.hpp), then let it resend the flight.
void DtlsEndpoint::retransmit(Instant now) {
  timeval left{};
  if (DTLSv1_get_timeout(ssl_.get(), &left) != 1 || !queues_.openssl_deadline) {
    timer_.reset();  // no flight outstanding after all
    return;
  }
  *queues_.openssl_deadline = timeval{1, 0};  // long past, and nonzero (zero means "no timer")
  if (DTLSv1_get_timeout(ssl_.get(), &left) != 1 || left.tv_sec != 0 || left.tv_usec != 0) {
    fail("dtls: this OpenSSL version does not let the handshake run on the caller's clock");
    return;
  }
  ERR_clear_error();
  int r = DTLSv1_handle_timeout(ssl_.get());
  if (r < 0) {
    fail(handshake_error());
    return;
  }
  if (r > 0) ++stats_.retransmits;
  timer_.backoff(now);
  queues_.openssl_timer_stopped = false;
}

void DtlsEndpoint::sync_timer(Instant now) {
  if (state_ != DtlsState::kConnecting || handshake_finished_) {
    timer_.reset();
    return;
  }
  if (queues_.openssl_timer_stopped) {  // the peer's flight completed ours
    queues_.openssl_timer_stopped = false;
    timer_.reset();
  }
  timeval left{};
  if (DTLSv1_get_timeout(ssl_.get(), &left) == 1)
    timer_.arm(now);
  else
    timer_.reset();
}

void DtlsEndpoint::fail(std::string reason) {
  if (state_ == DtlsState::kFailed) return;
  state_ = DtlsState::kFailed;
  error_ = std::move(reason);
  keys_.reset();
  timer_.reset();
}

void DtlsEndpoint::info_callback(const SSL* ssl, int where, int ret) {
  if (!(where & SSL_CB_READ_ALERT) || (ret >> 8) != SSL3_AL_FATAL) return;
  auto* self = static_cast<DtlsEndpoint*>(SSL_get_app_data(ssl));
  if (self) self->peer_alert_ = SSL_alert_desc_string_long(ret);
}

}  // namespace peercall
