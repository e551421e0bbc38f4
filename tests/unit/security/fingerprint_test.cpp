#include "security/fingerprint.hpp"

#include <gtest/gtest.h>

#include "security/identity.hpp"

namespace peercall {
namespace {

std::string hex_of(size_t bytes, const char* pair = "ab") {
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    if (i) out += ':';
    out += pair;
  }
  return out;
}

TEST(Fingerprint, ParsesAnyCaseAndNormalizes) {
  auto fp = Fingerprint::parse("  SHA-256 " + hex_of(32, "aB") + " \r\n");
  ASSERT_TRUE(fp) << fp.error();
  EXPECT_EQ(fp->algorithm, "sha-256");
  EXPECT_EQ(fp->hex, hex_of(32, "AB"));
  EXPECT_EQ(fp->to_string(), "sha-256 " + hex_of(32, "AB"));
}

TEST(Fingerprint, RoundTripsThroughText) {
  auto fp = Fingerprint::parse("sha-256 " + hex_of(32, "01"));
  ASSERT_TRUE(fp);
  auto again = Fingerprint::parse(fp->to_string());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *fp);
}

TEST(Fingerprint, RejectsWrongLengthsAndCharacters) {
  EXPECT_FALSE(Fingerprint::parse("sha-256 " + hex_of(31)));
  EXPECT_FALSE(Fingerprint::parse("sha-256 " + hex_of(33)));
  EXPECT_FALSE(Fingerprint::parse("sha-256 " + hex_of(32) + ":"));
  std::string bad = hex_of(32);
  bad[4] = 'g';
  EXPECT_FALSE(Fingerprint::parse("sha-256 " + bad));
  bad = hex_of(32);
  bad[2] = '-';
  EXPECT_FALSE(Fingerprint::parse("sha-256 " + bad));
  EXPECT_FALSE(Fingerprint::parse("md5 " + hex_of(16)));
  EXPECT_FALSE(Fingerprint::parse(hex_of(32)));
  EXPECT_FALSE(Fingerprint::parse(""));
  auto err = Fingerprint::parse("sha-256 AB:CD");
  EXPECT_NE(err.error().find("32 bytes"), std::string::npos) << err.error();
}

TEST(Fingerprint, OtherHashesHaveTheirLengths) {
  EXPECT_TRUE(Fingerprint::parse("sha-1 " + hex_of(20)));
  EXPECT_FALSE(Fingerprint::parse("sha-1 " + hex_of(32)));
  EXPECT_TRUE(Fingerprint::parse("sha-384 " + hex_of(48)));
  EXPECT_TRUE(Fingerprint::parse("sha-512 " + hex_of(64)));
}

TEST(Fingerprint, ComparesIgnoringCase) {
  Fingerprint a{"SHA-256", hex_of(32, "ab")};
  Fingerprint b{"sha-256", hex_of(32, "AB")};
  Fingerprint c{"sha-256", hex_of(32, "AC")};
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a == c);
  EXPECT_FALSE((Fingerprint{"sha-1", hex_of(32)} == Fingerprint{"sha-256", hex_of(32)}));
}

TEST(Fingerprint, OfCertificateMatchesItsDerHash) {
  auto id = Identity::generate("fp");
  ASSERT_TRUE(id) << id.error();
  X509* cert = (*id)->certificate();
  Fingerprint fp = fingerprint_of(cert);
  EXPECT_EQ(fp.algorithm, "sha-256");
  EXPECT_EQ(fp.hex.size(), 32u * 3 - 1);
  EXPECT_TRUE(Fingerprint::parse(fp.to_string()));

  // Independently: hash the DER encoding.
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  ASSERT_GT(len, 0);
  unsigned char digest[32];
  unsigned int n = 0;
  EVP_Digest(der, size_t(len), digest, &n, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  char first[3];
  std::snprintf(first, sizeof first, "%02X", digest[0]);
  EXPECT_EQ(fp.hex.substr(0, 2), first);
  char last[3];
  std::snprintf(last, sizeof last, "%02X", digest[31]);
  EXPECT_EQ(fp.hex.substr(fp.hex.size() - 2), last);

  auto sha1 = fingerprint_of(cert, "SHA-1");
  ASSERT_TRUE(sha1);
  EXPECT_EQ(sha1->algorithm, "sha-1");
  EXPECT_EQ(sha1->hex.size(), 20u * 3 - 1);
  EXPECT_FALSE(fingerprint_of(cert, "md5"));
}

}  // namespace
}  // namespace peercall
