#include "security/identity.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

namespace peercall {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "peercall-identity-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

unsigned mode_of(const std::string& path) {
  struct stat st{};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(Identity, GeneratesAP256SelfSignedCertificate) {
  auto id = Identity::generate("Grandma's laptop");
  ASSERT_TRUE(id) << id.error();
  EXPECT_EQ((*id)->common_name(), "Grandma's laptop");
  EXPECT_EQ(EVP_PKEY_base_id((*id)->key()), EVP_PKEY_EC);
  EXPECT_EQ(X509_check_private_key((*id)->certificate(), (*id)->key()), 1);
  // Self-signed: issuer == subject and the signature verifies with its own key.
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name((*id)->certificate()),
                          X509_get_subject_name((*id)->certificate())), 0);
  EXPECT_EQ(X509_verify((*id)->certificate(), (*id)->key()), 1);
  EXPECT_NE((*id)->certificate_pem().find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE((*id)->key_pem().find("PRIVATE KEY"), std::string::npos);
}

TEST(Identity, FingerprintIsUppercaseColonHexSha256) {
  auto id = Identity::generate("x");
  ASSERT_TRUE(id);
  const Fingerprint& fp = (*id)->fingerprint();
  EXPECT_EQ(fp.algorithm, "sha-256");
  EXPECT_TRUE(std::regex_match(fp.hex, std::regex("([0-9A-F]{2}:){31}[0-9A-F]{2}"))) << fp.hex;
  EXPECT_EQ(fp, fingerprint_of((*id)->certificate()));
  auto other = Identity::generate("x");
  ASSERT_TRUE(other);
  EXPECT_FALSE((*other)->fingerprint() == fp) << "two identities must differ";
}

TEST(Identity, LoadOrCreateCreatesPrivateFileAndReusesIt) {
  TempDir tmp;
  std::string dir = tmp.path() + "/config/peercall";  // parents are created too
  auto first = Identity::load_or_create(dir, "Alice");
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(mode_of(dir + "/identity.pem"), 0600u);
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ((*first)->common_name(), "Alice");

  auto second = Identity::load_or_create(dir, "Someone else");
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ((*second)->fingerprint(), (*first)->fingerprint());
  EXPECT_EQ((*second)->common_name(), "Alice");
  // No temporary files are left behind.
  size_t entries = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST(Identity, RefusesAFileOthersCanRead) {
  TempDir tmp;
  auto created = Identity::load_or_create(tmp.path(), "Bob");
  ASSERT_TRUE(created) << created.error();
  std::string file = tmp.path() + "/identity.pem";
  ASSERT_EQ(chmod(file.c_str(), 0644), 0);
  auto loaded = Identity::load_or_create(tmp.path(), "Bob");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("0644"), std::string::npos) << loaded.error();
  EXPECT_NE(loaded.error().find("chmod 600"), std::string::npos) << loaded.error();
  EXPECT_EQ(loaded.error().find('\n'), std::string::npos);
}

TEST(Identity, RefusesGarbage) {
  TempDir tmp;
  std::string file = tmp.path() + "/identity.pem";
  {
    std::ofstream out(file);
    out << "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n";
  }
  ASSERT_EQ(chmod(file.c_str(), 0600), 0);
  auto loaded = Identity::load_or_create(tmp.path(), "x");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("corrupt"), std::string::npos) << loaded.error();
}

TEST(Identity, RefusesAKeyWithSomeoneElsesCertificate) {
  auto a = Identity::generate("a");
  auto b = Identity::generate("b");
  ASSERT_TRUE(a && b);
  auto mixed = Identity::from_pem((*a)->key_pem() + (*b)->certificate_pem());
  ASSERT_FALSE(mixed);
  EXPECT_NE(mixed.error().find("do not belong"), std::string::npos) << mixed.error();
  auto good = Identity::from_pem((*a)->certificate_pem() + (*a)->key_pem());  // any order
  ASSERT_TRUE(good) << good.error();
  EXPECT_EQ((*good)->fingerprint(), (*a)->fingerprint());
}

TEST(Identity, RefusesAnUnreadableFile) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads any file";
  TempDir tmp;
  ASSERT_TRUE(Identity::load_or_create(tmp.path(), "x"));
  std::string file = tmp.path() + "/identity.pem";
  ASSERT_EQ(chmod(file.c_str(), 0000), 0);
  auto loaded = Identity::load_or_create(tmp.path(), "x");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().find("cannot read"), std::string::npos) << loaded.error();
}

TEST(Identity, DefaultConfigDirFollowsXdgThenHome) {
  std::string old_xdg = std::getenv("XDG_CONFIG_HOME") ? std::getenv("XDG_CONFIG_HOME") : "";
  std::string old_home = std::getenv("HOME") ? std::getenv("HOME") : "";
  setenv("XDG_CONFIG_HOME", "/tmp/xdg", 1);
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(default_config_dir(), "/tmp/xdg/peercall");
  setenv("XDG_CONFIG_HOME", "relative", 1);  // the spec says ignore a relative path
  EXPECT_EQ(default_config_dir(), "/home/u/.config/peercall");
  unsetenv("XDG_CONFIG_HOME");
  EXPECT_EQ(default_config_dir(), "/home/u/.config/peercall");
  if (old_xdg.empty()) unsetenv("XDG_CONFIG_HOME"); else setenv("XDG_CONFIG_HOME", old_xdg.c_str(), 1);
  if (old_home.empty()) unsetenv("HOME"); else setenv("HOME", old_home.c_str(), 1);
}

}  // namespace
}  // namespace peercall
