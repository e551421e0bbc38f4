#pragma once
// The user's DTLS identity: an ECDSA P-256 key and a self-signed certificate
// whose CN is a display name. Peers pin it by fingerprint (from SDP), so it is
// kept on disk and reused: the same fingerprint call after call.
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "core/result.hpp"
#include "security/fingerprint.hpp"

namespace peercall {

class Identity {
 public:
  // A new key and certificate (valid from a day ago for ten years; peers check
  // the fingerprint, not dates).
  static Result<std::shared_ptr<const Identity>> generate(const std::string& common_name);
  // Parses a PEM private key and certificate (in any order) and checks they belong together.
  static Result<std::shared_ptr<const Identity>> from_pem(const std::string& pem);
  // Loads DIR/identity.pem, or creates it: DIR (and missing parents) with mode
  // 0700, the file 0600, written to a temporary file and linked into place so a
  // reader never sees half a file. A file readable by others (mode wider than
  // 0600), owned by someone else, unreadable or corrupt is refused with a
  // one-line reason. common_name is used only when creating.
  static Result<std::shared_ptr<const Identity>> load_or_create(const std::string& dir,
                                                                const std::string& common_name);

  ~Identity();
  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;

  EVP_PKEY* key() const { return key_; }
  X509* certificate() const { return cert_; }
  const Fingerprint& fingerprint() const { return fingerprint_; }
  std::string common_name() const;
  std::string certificate_pem() const;
  std::string key_pem() const;  // unencrypted PKCS#8: keep it private

 private:
  Identity(EVP_PKEY* key, X509* cert);
  EVP_PKEY* key_;
  X509* cert_;
  Fingerprint fingerprint_;
};

// Where peercall keeps per-user files: $XDG_CONFIG_HOME/peercall if that is an
// absolute path, else $HOME/.config/peercall; "" when neither is known.
std::string default_config_dir();

}  // namespace peercall
