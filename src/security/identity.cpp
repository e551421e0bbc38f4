#include "security/identity.hpp"

#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "security/openssl_handles.hpp"

namespace peercall {
namespace {

constexpr long kValidSeconds = 10L * 365 * 24 * 3600;
constexpr off_t kMaxFileBytes = 64 * 1024;  // a key and a certificate are ~1 KB

std::string errno_text() { return std::strerror(errno); }

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, size_t(n)) : std::string();
}

// mkdir -p with mode 0700 for every directory it creates.
Result<Done> make_private_dirs(const std::string& dir) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string prefix = dir.substr(0, pos);
    if (mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      return Error("cannot create " + prefix + ": " + errno_text());
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Error(dir + " is not a directory");
  return Done{};
}

Result<std::string> read_private_file(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Error("cannot read identity file " + path + ": " + errno_text());
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Error("identity file " + path + " is not a regular file");
  }
  if (st.st_uid != geteuid()) {
    close(fd);
    return Error("identity file " + path + " belongs to another user; refusing to use it");
  }
  if (st.st_mode & 077) {
    close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
    return Error("identity file " + path + " has mode " + mode +
                 " but holds your private key; make it private with: chmod 600 " + path);
  }
  if (st.st_size > kMaxFileBytes) {
    close(fd);
    return Error("identity file " + path + " is too large to be a key and certificate");
  }
  std::string text(size_t(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += size_t(n);
  }
  close(fd);
  text.resize(got);
  return text;
}

// Writes `text` to a 0600 temporary file in `dir`, then links it to `path`
// (fails with EEXIST if another process created it meanwhile).
Result<Done> write_new_private_file(const std::string& dir, const std::string& path,
                                    const std::string& text, bool& lost_race) {
  lost_race = false;
  std::string tmp = dir + "/.identity.pem.XXXXXX";
  int fd = mkstemp(tmp.data());  // creates the file with mode 0600
  if (fd < 0) return Error("cannot create a file in " + dir + ": " + errno_text());
  size_t done = 0;
  bool ok = fchmod(fd, 0600) == 0;
  while (ok && done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += size_t(n);
  }
  ok = ok && fsync(fd) == 0;
  std::string why = ok ? "" : errno_text();
  close(fd);
  if (!ok) {
    unlink(tmp.c_str());
    return Error("cannot write " + tmp + ": " + why);
  }
  int linked = link(tmp.c_str(), path.c_str());
  int link_errno = errno;
  if (linked != 0 && link_errno != EEXIST) {
    // A filesystem without hard links: fall back to a (clobbering) rename.
    if (rename(tmp.c_str(), path.c_str()) == 0) return Done{};
  }
  unlink(tmp.c_str());
  if (linked == 0) return Done{};
  if (link_errno == EEXIST) {
    lost_race = true;
    return Done{};
  }
  return Error("cannot create identity file " + path + ": " + std::strerror(link_errno));
}

}  // namespace

Identity::Identity(EVP_PKEY* key, X509* cert)
    : key_(key), cert_(cert), fingerprint_(fingerprint_of(cert)) {}

Identity::~Identity() {
  EVP_PKEY_free(key_);
  X509_free(cert_);
}

Result<std::shared_ptr<const Identity>> Identity::generate(const std::string& common_name) {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Error("identity: cannot generate a P-256 key: " + take_openssl_error());
  X509Ptr cert(X509_new());
  if (!cert) return Error("identity: out of memory");

  // A random positive 63-bit serial: two certificates of one CN still differ.
  unsigned char serial_bytes[8];
  if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) return Error("identity: no randomness");
  serial_bytes[0] &= 0x7f;
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
  bool ok = serial && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get()));
  BN_free(serial);

  X509_NAME* name = X509_get_subject_name(cert.get());
  std::string cn = common_name.empty() ? "peercall" : common_name;
  ok = ok && X509_set_version(cert.get(), X509_VERSION_3) &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) &&
       X509_set_issuer_name(cert.get(), name) &&
       X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24L * 3600) &&
       X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidSeconds) &&
       X509_set_pubkey(cert.get(), key.get()) && X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) return Error("identity: cannot make a certificate: " + take_openssl_error());
  return std::shared_ptr<const Identity>(new Identity(key.release(), cert.release()));
}

Result<std::shared_ptr<const Identity>> Identity::from_pem(const std::string& pem) {
  BioPtr key_bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
  BioPtr cert_bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
  if (!key_bio || !cert_bio) return Error("identity: out of memory");
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key) return Error("no PEM private key in it");
  if (!cert) return Error("no PEM certificate in it");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return Error("its key and certificate do not belong together");
  }
  return std::shared_ptr<const Identity>(new Identity(key.release(), cert.release()));
}

Result<std::shared_ptr<const Identity>> Identity::load_or_create(const std::string& dir,
                                                                 const std::string& common_name) {
  if (dir.empty()) return Error("identity: no configuration directory (set HOME or XDG_CONFIG_HOME)");
  std::string path = dir + "/identity.pem";
  for (int attempt = 0; attempt < 2; ++attempt) {
    struct stat st;
    if (lstat(path.c_str(), &st) == 0) {
      auto text = read_private_file(path);
      if (!text) return Error(text.error());
      auto identity = from_pem(*text);
      if (!identity) return Error("identity file " + path + " is corrupt: " + identity.error());
      return identity;
    }
    if (errno != ENOENT) return Error("cannot read identity file " + path + ": " + errno_text());

    if (auto made = make_private_dirs(dir); !made) return Error("identity: " + made.error());
    auto identity = generate(common_name);
    if (!identity) return identity;
    std::string pem = (*identity)->key_pem() + (*identity)->certificate_pem();
    bool lost_race = false;
    auto written = write_new_private_file(dir, path, pem, lost_race);
    if (!written) return Error(written.error());
    if (!lost_race) return identity;
    // Another process created it first: use theirs, so both agree.
  }
  return Error("identity file " + path + " keeps changing; giving up");
}

std::string Identity::common_name() const {
  X509_NAME* name = X509_get_subject_name(cert_);
  int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return "";
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), size_t(n));
  OPENSSL_free(utf8);
  return out;
}

std::string Identity::certificate_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert_) != 1) return "";
  return bio_text(bio.get());
}

std::string Identity::key_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return "";
  return bio_text(bio.get());
}

std::string default_config_dir() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg && xdg[0] == '/') return std::string(xdg) + "/peercall";
  const char* home = std::getenv("HOME");
  if (home && home[0] == '/') return std::string(home) + "/.config/peercall";
  return "";
}

}  // namespace peercall
