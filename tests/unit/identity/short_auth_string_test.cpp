#include "identity/short_auth_string.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "identity/fingerprint.hpp"

namespace peercall {
namespace {

std::string fingerprint(uint8_t seed) {
  std::array<uint8_t, 32> digest{};
  for (size_t i = 0; i < digest.size(); ++i) digest[i] = uint8_t(seed * 31 + i * 17);
  return format_fingerprint(digest);
}

std::string ascending() {
  std::array<uint8_t, 32> d{};
  for (size_t i = 0; i < d.size(); ++i) d[i] = uint8_t(i);
  return format_fingerprint(d);
}

std::string descending() {
  std::array<uint8_t, 32> d{};
  for (size_t i = 0; i < d.size(); ++i) d[i] = uint8_t(255 - i);
  return format_fingerprint(d);
}

std::string lowercase_hex(std::string fp) {
  for (char& c : fp)
    if (c >= 'A' && c <= 'F') c = char(c - 'A' + 'a');
  return fp;
}

TEST(ShortAuthString, FixedTestVector) {
  // Computed independently (Python hashlib) from the definition in the header:
  // sha256("peercall-sas\n" + "sha-256 00:01:...:1F" + "\n" + "sha-256 FF:FE:...:E0").
  EXPECT_EQ(short_auth_string(ascending(), descending()), "645 057");
}

TEST(ShortAuthString, IsSymmetric) {
  for (uint8_t i = 0; i < 50; ++i) {
    std::string a = fingerprint(i), b = fingerprint(uint8_t(i + 100));
    EXPECT_EQ(short_auth_string(a, b), short_auth_string(b, a));
  }
}

TEST(ShortAuthString, FormatIsThreeDigitsSpaceThreeDigits) {
  for (uint8_t i = 0; i < 100; ++i) {
    std::string sas = short_auth_string(fingerprint(i), fingerprint(uint8_t(i + 1)));
    ASSERT_EQ(sas.size(), 7u) << sas;
    for (size_t p = 0; p < 7; ++p) {
      if (p == 3) {
        EXPECT_EQ(sas[p], ' ');
      } else {
        EXPECT_TRUE(sas[p] >= '0' && sas[p] <= '9') << sas;
      }
    }
  }
}

TEST(ShortAuthString, IgnoresLetterCaseAndSpacing) {
  std::string a = fingerprint(1), b = fingerprint(2);
  std::string expected = short_auth_string(a, b);
  EXPECT_EQ(short_auth_string(lowercase_hex(a), b), expected);
  EXPECT_EQ(short_auth_string("SHA-256 " + a.substr(8), b), expected);
  EXPECT_EQ(short_auth_string("  sha-256 \t " + a.substr(8) + " \n", b), expected);
}

TEST(ShortAuthString, DependsOnBothFingerprints) {
  std::string a = fingerprint(1), b = fingerprint(2), c = fingerprint(3);
  // Different pairs could collide one time in a million; these do not.
  EXPECT_NE(short_auth_string(a, b), short_auth_string(a, c));
  EXPECT_NE(short_auth_string(a, b), short_auth_string(b, c));
  std::string a_flipped = a;
  a_flipped.back() = a_flipped.back() == '0' ? '1' : '0';
  EXPECT_NE(short_auth_string(a, b), short_auth_string(a_flipped, b));
}

// Runs the embedded JavaScript in node and compares it with the C++ result.
class ShortAuthStringJs : public ::testing::Test {
 protected:
  static constexpr const char* kNode = PEERCALL_NODE;

  // Each pair's SAS from the JavaScript version, one per line.
  static std::vector<std::string> run_js(const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::string script(kShortAuthStringJs);
    script += "\n(async () => {\n  const pairs = [\n";
    for (const auto& [a, b] : pairs) script += "    [" + quoted(a) + ", " + quoted(b) + "],\n";
    script += "  ];\n  for (const [a, b] of pairs) console.log(await shortAuthString(a, b));\n})()"
              ".catch((e) => { console.error(e); process.exit(1); });\n";
    std::string path = (std::filesystem::temp_directory_path() /
                        ("peercall-sas-" + std::to_string(::getpid()) + ".js")).string();
    std::ofstream(path) << script;
    std::string command = std::string(kNode) + " " + path + " 2>&1";
    std::vector<std::string> lines;
    if (FILE* out = ::popen(command.c_str(), "r")) {
      char buffer[256];
      while (std::fgets(buffer, sizeof buffer, out) != nullptr) {
        std::string line = buffer;
        if (!line.empty() && line.back() == '\n') line.pop_back();
        lines.push_back(line);
      }
      EXPECT_EQ(::pclose(out), 0) << "node failed: " << (lines.empty() ? "" : lines.front());
    }
    std::filesystem::remove(path);
    return lines;
  }

  static std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '\\' || c == '"') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\t') {
        out += "\\t";
      } else {
        out += c;
      }
    }
    return out + "\"";
  }
};

TEST_F(ShortAuthStringJs, MatchesTheCppVersionInNode) {
  if (::access(kNode, X_OK) != 0) GTEST_SKIP() << kNode << " not found";
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {ascending(), descending()},
      {descending(), ascending()},
      {fingerprint(7), fingerprint(8)},
      {lowercase_hex(fingerprint(9)), "SHA-256 " + fingerprint(10).substr(8)},
      {"  sha-256\t" + fingerprint(11).substr(8) + " \n", fingerprint(12)},
      {"sha-256   ", "odd"},  // not fingerprints: still the same definition
  };
  std::vector<std::string> js = run_js(pairs);
  ASSERT_EQ(js.size(), pairs.size());
  EXPECT_EQ(js[0], "645 057");
  for (size_t i = 0; i < pairs.size(); ++i)
    EXPECT_EQ(js[i], short_auth_string(pairs[i].first, pairs[i].second)) << "pair " << i;
}

}  // namespace
}  // namespace peercall
