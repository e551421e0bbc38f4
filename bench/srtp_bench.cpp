// SRTP cost per packet: peercall's SrtpSession (libsrtp2; Debian builds it on
// NSS) protecting and unprotecting a 1200-byte video and a 160-byte audio RTP
// packet, beside the bare cipher work done with OpenSSL EVP in the same run:
// AES-128-GCM seal/open (what AEAD_AES_128_GCM costs at least) and AES-128-CTR
// + HMAC-SHA1-80 (the same for AES_CM_128_HMAC_SHA1_80). Chromium's libwebrtc
// runs libsrtp on BoringSSL, whose EVP code paths are close to these.
//
//   build/bench/srtp_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "security/srtp_session.hpp"

namespace peercall {
namespace {

constexpr size_t kRtpHeader = 12;

Bytes rtp_packet(size_t total_size, uint16_t seq) {
  Bytes p(total_size, 0x5A);
  p[0] = 0x80;
  p[1] = 96;
  p[2] = uint8_t(seq >> 8);
  p[3] = uint8_t(seq);
  p[8] = 0x12, p[9] = 0x34, p[10] = 0x56, p[11] = 0x78;  // SSRC
  return p;
}

void set_seq(Bytes& p, uint16_t seq) {
  p[2] = uint8_t(seq >> 8);
  p[3] = uint8_t(seq);
}

const char* profile_name(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? "aead_aes_128_gcm" : "aes_cm_128_hmac_sha1_80";
}

struct Pair {
  std::unique_ptr<SrtpSession> sender, receiver;
};

Pair make_pair(SrtpProfile profile) {
  const size_t n = SrtpSession::key_material_length(profile);
  Bytes a(n, 0x11), b(n, 0x22);
  auto sender = SrtpSession::create({profile, a, b});
  auto receiver = SrtpSession::create({profile, b, a});
  if (!sender || !receiver) {
    std::fprintf(stderr, "srtp_bench: %s\n", (!sender ? sender : receiver).error().c_str());
    std::exit(1);
  }
  return {std::move(*sender), std::move(*receiver)};
}

void count(benchmark::State& state, size_t packet_size) {
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.SetBytesProcessed(int64_t(state.iterations() * packet_size));
}

void srtp_protect(benchmark::State& state, SrtpProfile profile) {
  const size_t size = size_t(state.range(0));
  Pair pair = make_pair(profile);
  const Bytes plain = rtp_packet(size, 0);
  Bytes packet;
  packet.reserve(size + 256);
  uint16_t seq = 0;
  for (auto _ : state) {
    packet.assign(plain.begin(), plain.end());  // as a packetizer hands it over
    set_seq(packet, seq++);
    if (!pair.sender->protect_rtp(packet)) state.SkipWithError("protect failed");
    benchmark::DoNotOptimize(packet.data());
  }
  count(state, size);
}

// Packets are protected in batches with the timer paused, then unprotected in
// place, in order, so each is fresh to the receiver's replay window.
void srtp_unprotect(benchmark::State& state, SrtpProfile profile) {
  const size_t size = size_t(state.range(0));
  Pair pair = make_pair(profile);
  const Bytes plain = rtp_packet(size, 0);
  std::vector<Bytes> batch(1024);
  size_t next = batch.size();
  uint16_t seq = 0;
  for (auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      for (Bytes& p : batch) {
        p = plain;
        set_seq(p, seq++);
        if (!pair.sender->protect_rtp(p)) state.SkipWithError("protect failed");
      }
      next = 0;
      state.ResumeTiming();
    }
    if (!pair.receiver->unprotect_rtp(batch[next++])) state.SkipWithError("unprotect failed");
  }
  count(state, size);
}

struct CipherCtx {
  CipherCtx() : ctx(EVP_CIPHER_CTX_new()) {}
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
  EVP_CIPHER_CTX* ctx;
};

// Seal: header as AAD, payload encrypted, 16-byte tag; a new 12-byte IV per
// packet as SRTP's GCM nonce is.
void openssl_gcm_seal(benchmark::State& state) {
  const size_t size = size_t(state.range(0));
  const Bytes plain = rtp_packet(size, 0);
  const uint8_t key[16] = {1};
  uint8_t iv[12] = {2};
  Bytes out(size + 16);
  CipherCtx c;
  EVP_EncryptInit_ex(c.ctx, EVP_aes_128_gcm(), nullptr, key, nullptr);
  uint32_t index = 0;
  for (auto _ : state) {
    std::memcpy(iv + 8, &++index, 4);
    int n = 0;
    bool ok = EVP_EncryptInit_ex(c.ctx, nullptr, nullptr, nullptr, iv) == 1 &&
              EVP_EncryptUpdate(c.ctx, nullptr, &n, plain.data(), kRtpHeader) == 1 &&
              EVP_EncryptUpdate(c.ctx, out.data() + kRtpHeader, &n, plain.data() + kRtpHeader,
                                int(size - kRtpHeader)) == 1 &&
              EVP_EncryptFinal_ex(c.ctx, out.data() + size, &n) == 1 &&
              EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, 16, out.data() + size) == 1;
    if (!ok) state.SkipWithError("EVP AES-128-GCM failed");
    benchmark::DoNotOptimize(out.data());
  }
  count(state, size);
}

void openssl_gcm_open(benchmark::State& state) {
  const size_t size = size_t(state.range(0));
  const Bytes plain = rtp_packet(size, 0);
  const uint8_t key[16] = {1};
  const uint8_t iv[12] = {2};
  CipherCtx c;
  Bytes sealed(size + 16), out(size);
  int n = 0;
  EVP_EncryptInit_ex(c.ctx, EVP_aes_128_gcm(), nullptr, key, iv);
  EVP_EncryptUpdate(c.ctx, nullptr, &n, plain.data(), kRtpHeader);
  EVP_EncryptUpdate(c.ctx, sealed.data() + kRtpHeader, &n, plain.data() + kRtpHeader,
                    int(size - kRtpHeader));
  EVP_EncryptFinal_ex(c.ctx, sealed.data() + size, &n);
  EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, 16, sealed.data() + size);
  std::memcpy(sealed.data(), plain.data(), kRtpHeader);
  CipherCtx d;
  EVP_DecryptInit_ex(d.ctx, EVP_aes_128_gcm(), nullptr, key, nullptr);
  for (auto _ : state) {
    bool ok = EVP_DecryptInit_ex(d.ctx, nullptr, nullptr, nullptr, iv) == 1 &&
              EVP_DecryptUpdate(d.ctx, nullptr, &n, sealed.data(), kRtpHeader) == 1 &&
              EVP_DecryptUpdate(d.ctx, out.data() + kRtpHeader, &n, sealed.data() + kRtpHeader,
                                int(size - kRtpHeader)) == 1 &&
              EVP_CIPHER_CTX_ctrl(d.ctx, EVP_CTRL_GCM_SET_TAG, 16, sealed.data() + size) == 1 &&
              EVP_DecryptFinal_ex(d.ctx, out.data() + size, &n) == 1;
    if (!ok) state.SkipWithError("EVP AES-128-GCM open failed");
    benchmark::DoNotOptimize(out.data());
  }
  count(state, size);
}

// AES-128-CTR over the payload, then HMAC-SHA1 over header, payload and the
// 4-byte ROC, truncated to 80 bits: the work of AES_CM_128_HMAC_SHA1_80.
void openssl_ctr_hmac_sha1(benchmark::State& state) {
  const size_t size = size_t(state.range(0));
  const Bytes plain = rtp_packet(size, 0);
  const uint8_t key[16] = {1};
  uint8_t iv[16] = {2};
  uint8_t auth_key[20] = {3};
  Bytes out(size + 10);
  CipherCtx c;
  EVP_EncryptInit_ex(c.ctx, EVP_aes_128_ctr(), nullptr, key, iv);
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* mctx = EVP_MAC_CTX_new(mac);
  char digest[] = "SHA1";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  EVP_MAC_init(mctx, auth_key, sizeof auth_key, params);
  const uint8_t roc[4] = {0, 0, 0, 0};
  uint32_t index = 0;
  for (auto _ : state) {
    std::memcpy(iv + 8, &++index, 4);
    int n = 0;
    uint8_t tag[EVP_MAX_MD_SIZE];
    size_t tag_len = 0;
    std::memcpy(out.data(), plain.data(), kRtpHeader);
    bool ok = EVP_EncryptInit_ex(c.ctx, nullptr, nullptr, nullptr, iv) == 1 &&
              EVP_EncryptUpdate(c.ctx, out.data() + kRtpHeader, &n, plain.data() + kRtpHeader,
                                int(size - kRtpHeader)) == 1 &&
              EVP_MAC_init(mctx, nullptr, 0, nullptr) == 1 &&  // same key again
              EVP_MAC_update(mctx, out.data(), size) == 1 && EVP_MAC_update(mctx, roc, 4) == 1 &&
              EVP_MAC_final(mctx, tag, &tag_len, sizeof tag) == 1;
    std::memcpy(out.data() + size, tag, 10);
    if (!ok) state.SkipWithError("EVP AES-128-CTR/HMAC-SHA1 failed");
    benchmark::DoNotOptimize(out.data());
  }
  EVP_MAC_CTX_free(mctx);
  EVP_MAC_free(mac);
  count(state, size);
}

void register_all() {
  for (SrtpProfile profile : {SrtpProfile::kAes128CmSha1_80, SrtpProfile::kAeadAes128Gcm}) {
    const std::string name = profile_name(profile);
    benchmark::RegisterBenchmark(("peercall_srtp_protect/" + name).c_str(), srtp_protect, profile)
        ->Arg(160)->Arg(1200);
    benchmark::RegisterBenchmark(("peercall_srtp_unprotect/" + name).c_str(), srtp_unprotect,
                                 profile)
        ->Arg(160)->Arg(1200);
  }
  benchmark::RegisterBenchmark("baseline_openssl_aes_128_gcm_seal", openssl_gcm_seal)
      ->Arg(160)->Arg(1200);
  benchmark::RegisterBenchmark("baseline_openssl_aes_128_gcm_open", openssl_gcm_open)
      ->Arg(160)->Arg(1200);
  benchmark::RegisterBenchmark("baseline_openssl_aes_128_ctr_hmac_sha1_80", openssl_ctr_hmac_sha1)
      ->Arg(160)->Arg(1200);
}

}  // namespace
}  // namespace peercall

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  peercall::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
