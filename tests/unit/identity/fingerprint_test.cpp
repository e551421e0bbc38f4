#include "identity/fingerprint.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

std::string counting_fingerprint() {
  std::array<uint8_t, 32> digest{};
  for (size_t i = 0; i < digest.size(); ++i) digest[i] = uint8_t(0xa0 + i);
  return format_fingerprint(digest);
}

TEST(Fingerprint, FormatsUppercaseHexWithColons) {
  EXPECT_EQ(counting_fingerprint(),
            "sha-256 A0:A1:A2:A3:A4:A5:A6:A7:A8:A9:AA:AB:AC:AD:AE:AF:B0:B1:B2:B3:B4:B5:B6:B7:B8:B9:BA:BB:BC:BD:BE:BF");
}

TEST(Fingerprint, NormalisesCaseAndBlanks) {
  std::string canonical = counting_fingerprint();
  std::string lower = "SHA-256 " + canonical.substr(8);
  for (size_t i = 8; i < lower.size(); ++i)
    if (lower[i] >= 'A' && lower[i] <= 'F') lower[i] = char(lower[i] - 'A' + 'a');
  std::string mixed = "Sha-256\t\t" + canonical.substr(8);
  for (size_t i = 8; i < mixed.size(); i += 2)
    if (mixed[i] >= 'A' && mixed[i] <= 'F') mixed[i] = char(mixed[i] - 'A' + 'a');
  EXPECT_EQ(normalize_fingerprint(canonical), canonical);
  EXPECT_EQ(normalize_fingerprint(lower), canonical);
  EXPECT_EQ(normalize_fingerprint(mixed), canonical);
  EXPECT_EQ(normalize_fingerprint("  " + canonical + " \t"), canonical);
}

TEST(Fingerprint, RejectsAnythingElse) {
  std::string canonical = counting_fingerprint();
  EXPECT_FALSE(normalize_fingerprint(""));
  EXPECT_FALSE(normalize_fingerprint("sha-256"));
  EXPECT_FALSE(normalize_fingerprint(canonical.substr(8)));                        // no algorithm
  EXPECT_FALSE(normalize_fingerprint("sha-1 " + canonical.substr(8)));             // other algorithm
  EXPECT_FALSE(normalize_fingerprint(canonical.substr(0, canonical.size() - 3)));  // 31 bytes
  EXPECT_FALSE(normalize_fingerprint(canonical + ":00"));                          // 33 bytes
  std::string bad_hex = canonical;
  bad_hex[8] = 'G';
  EXPECT_FALSE(normalize_fingerprint(bad_hex));
  std::string bad_separator = canonical;
  bad_separator[10] = '-';
  EXPECT_FALSE(normalize_fingerprint(bad_separator));
  EXPECT_FALSE(normalize_fingerprint("sha-256" + canonical.substr(7).substr(1)));  // no space
}

}  // namespace
}  // namespace peercall
