#include "identity/known_peers.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "identity/fingerprint.hpp"

namespace peercall {
namespace {

namespace fs = std::filesystem;

std::string fingerprint(uint8_t seed) {
  std::array<uint8_t, 32> digest{};
  for (size_t i = 0; i < digest.size(); ++i) digest[i] = uint8_t(seed * 7 + i * 13);
  return format_fingerprint(digest);
}

std::string lowercase_hex(std::string fp) {
  for (size_t i = 8; i < fp.size(); ++i)
    if (fp[i] >= 'A' && fp[i] <= 'F') fp[i] = char(fp[i] - 'A' + 'a');
  return fp;
}

class KnownPeersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "peercall-known-peers-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    file_ = root_ / "config" / "peercall" / "known_peers";
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& content, mode_t mode = 0600) {
    fs::create_directories(file_.parent_path());
    std::ofstream(file_) << content;
    ASSERT_EQ(::chmod(file_.c_str(), mode), 0);
  }
  std::string read() const {
    std::ifstream in(file_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static mode_t mode_of(const fs::path& p) {
    struct stat st{};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }
  KnownPeers load() {
    Result<KnownPeers> peers = KnownPeers::load(file_);
    EXPECT_TRUE(peers) << peers.error();
    return std::move(*peers);
  }

  fs::path root_;
  fs::path file_;
};

TEST_F(KnownPeersTest, MissingFileIsEmpty) {
  KnownPeers peers = load();
  EXPECT_EQ(peers.size(), 0u);
  EXPECT_TRUE(peers.warnings().empty());
  EXPECT_FALSE(peers.fingerprint_of("grandma"));
  EXPECT_EQ(peers.check("grandma", fingerprint(1)), KnownPeers::Check::kNew);
  EXPECT_FALSE(fs::exists(file_));  // loading writes nothing
}

TEST_F(KnownPeersTest, RememberCreatesPrivateDirectoryAndFile) {
  KnownPeers peers = load();
  ASSERT_TRUE(peers.remember("grandma", fingerprint(1)));
  EXPECT_EQ(mode_of(file_), 0600u);
  EXPECT_EQ(mode_of(file_.parent_path()), 0700u);
  EXPECT_EQ(mode_of(root_ / "config") & 0077, 0u);
  EXPECT_EQ(read(), "grandma " + fingerprint(1) + "\n");
}

TEST_F(KnownPeersTest, RoundTrip) {
  {
    KnownPeers peers = load();
    ASSERT_TRUE(peers.remember("grandma", fingerprint(1)));
    ASSERT_TRUE(peers.remember("bob@laptop", lowercase_hex(fingerprint(2))));
    ASSERT_TRUE(peers.remember("a.b_c-d", fingerprint(3)));
  }
  KnownPeers peers = load();
  EXPECT_EQ(peers.size(), 3u);
  EXPECT_TRUE(peers.warnings().empty());
  EXPECT_EQ(peers.fingerprint_of("grandma"), fingerprint(1));
  EXPECT_EQ(peers.fingerprint_of("bob@laptop"), fingerprint(2));  // stored normalised
  EXPECT_EQ(peers.fingerprint_of("a.b_c-d"), fingerprint(3));
  EXPECT_FALSE(peers.fingerprint_of("Grandma"));  // names are exact
  EXPECT_EQ(peers.name_of(fingerprint(2)), "bob@laptop");
  EXPECT_EQ(peers.name_of(lowercase_hex(fingerprint(1))), "grandma");
  EXPECT_EQ(peers.name_of("SHA-256 " + fingerprint(3).substr(8)), "a.b_c-d");
  EXPECT_FALSE(peers.name_of(fingerprint(4)));
  EXPECT_FALSE(peers.name_of("garbage"));
}

TEST_F(KnownPeersTest, CheckNewSameChanged) {
  KnownPeers peers = load();
  ASSERT_TRUE(peers.remember("grandma", fingerprint(1)));
  std::string previous = "untouched";
  EXPECT_EQ(peers.check("bob", fingerprint(1), &previous), KnownPeers::Check::kNew);
  EXPECT_EQ(peers.check("grandma", fingerprint(1), &previous), KnownPeers::Check::kSame);
  EXPECT_EQ(peers.check("grandma", lowercase_hex(fingerprint(1)), &previous), KnownPeers::Check::kSame);
  EXPECT_EQ(previous, "untouched");
  EXPECT_EQ(peers.check("grandma", fingerprint(9), &previous), KnownPeers::Check::kChanged);
  EXPECT_EQ(previous, fingerprint(1));
  EXPECT_EQ(peers.check("grandma", "not a fingerprint"), KnownPeers::Check::kChanged);
}

TEST_F(KnownPeersTest, ChangedFingerprintIsReplacedInPlace) {
  write("# my peers\n\ngrandma " + fingerprint(1) + "\n# bob's new laptop\nbob " + fingerprint(2) + "\n");
  KnownPeers peers = load();
  ASSERT_EQ(peers.check("grandma", fingerprint(5)), KnownPeers::Check::kChanged);
  ASSERT_TRUE(peers.remember("grandma", fingerprint(5)));
  EXPECT_EQ(peers.check("grandma", fingerprint(5)), KnownPeers::Check::kSame);
  EXPECT_EQ(read(), "# my peers\n\ngrandma " + fingerprint(5) + "\n# bob's new laptop\nbob " + fingerprint(2) + "\n");
  EXPECT_EQ(load().fingerprint_of("grandma"), fingerprint(5));
}

TEST_F(KnownPeersTest, WiderModeThan0600IsAnError) {
  for (mode_t mode : {0644, 0640, 0604, 0660, 0606, 0602, 0620}) {
    write("grandma " + fingerprint(1) + "\n", mode);
    Result<KnownPeers> peers = KnownPeers::load(file_);
    ASSERT_FALSE(peers) << std::oct << mode;
    EXPECT_NE(peers.error().find("chmod 600 " + file_.string()), std::string::npos) << peers.error();
    EXPECT_EQ(peers.error().find('\n'), std::string::npos);
  }
  write("x", 0644);
  EXPECT_NE(KnownPeers::load(file_).error().find("mode 0644"), std::string::npos);
  for (mode_t mode : {0600, 0400, 0700}) {
    write("grandma " + fingerprint(1) + "\n", mode);
    EXPECT_TRUE(KnownPeers::load(file_)) << std::oct << mode;
  }
}

TEST_F(KnownPeersTest, ADirectoryIsNotAFile) {
  fs::create_directories(file_);
  ::chmod(file_.c_str(), 0700);
  Result<KnownPeers> peers = KnownPeers::load(file_);
  ASSERT_FALSE(peers);
  EXPECT_NE(peers.error().find("not a regular file"), std::string::npos) << peers.error();
}

TEST_F(KnownPeersTest, MalformedLinesAreSkippedWithWarningsAndKept) {
  const std::string content =
      "# comment\n"
      "grandma " + fingerprint(1) + "\n"
      "just-a-name\n"
      "bad name " + fingerprint(2) + "\n"
      "carol sha-1 AB:CD\n"
      "dave sha-256 " + fingerprint(3).substr(8, 20) + "\n"
      "grandma " + fingerprint(4) + "\n"
      "   \t\n"
      "erin  \tsha-256   " + fingerprint(5).substr(8) + "\r\n"
      "  # indented comment\n";
  write(content);
  KnownPeers peers = load();
  EXPECT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers.fingerprint_of("grandma"), fingerprint(1));  // the first one wins
  EXPECT_EQ(peers.fingerprint_of("erin"), fingerprint(5));
  EXPECT_FALSE(peers.fingerprint_of("carol"));
  EXPECT_FALSE(peers.fingerprint_of("dave"));
  ASSERT_EQ(peers.warnings().size(), 5u);
  const std::string at = file_.string() + ":";
  EXPECT_EQ(peers.warnings()[0], at + "3: expected 'NAME sha-256 AB:CD:...'; line ignored");
  EXPECT_EQ(peers.warnings()[1].rfind(at + "4: ", 0), 0u);
  EXPECT_EQ(peers.warnings()[2], at + "5: not a sha-256 fingerprint (32 hex bytes AB:CD:...); line ignored");
  EXPECT_EQ(peers.warnings()[3].rfind(at + "6: ", 0), 0u);
  EXPECT_EQ(peers.warnings()[4], at + "7: 'grandma' appears again; line ignored");

  // A rewrite keeps every line it did not change, unreadable ones included.
  ASSERT_TRUE(peers.remember("frank", fingerprint(6)));
  std::string expected = content;
  expected.replace(expected.find("\r\n"), 2, "\n");
  expected += "frank " + fingerprint(6) + "\n";
  EXPECT_EQ(read(), expected);
}

TEST_F(KnownPeersTest, LastLineWithoutNewline) {
  write("grandma " + fingerprint(1));
  KnownPeers peers = load();
  EXPECT_EQ(peers.fingerprint_of("grandma"), fingerprint(1));
  ASSERT_TRUE(peers.remember("bob", fingerprint(2)));
  EXPECT_EQ(read(), "grandma " + fingerprint(1) + "\nbob " + fingerprint(2) + "\n");
}

TEST_F(KnownPeersTest, RewriteIsARenameNotAnInPlaceWrite) {
  write("# keep me\ngrandma " + fingerprint(1) + "\n");
  KnownPeers peers = load();
  // A reader that opened the old file keeps reading the old, whole list.
  std::ifstream old_reader(file_);
  struct stat before{};
  ASSERT_EQ(::stat(file_.c_str(), &before), 0);
  ASSERT_TRUE(peers.remember("grandma", fingerprint(2)));
  struct stat after{};
  ASSERT_EQ(::stat(file_.c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);
  std::stringstream old_content;
  old_content << old_reader.rdbuf();
  EXPECT_EQ(old_content.str(), "# keep me\ngrandma " + fingerprint(1) + "\n");
  EXPECT_EQ(read(), "# keep me\ngrandma " + fingerprint(2) + "\n");
  EXPECT_EQ(mode_of(file_), 0600u);
  // No temporary file left behind.
  size_t entries = 0;
  for (const auto& entry : fs::directory_iterator(file_.parent_path())) {
    ++entries;
    EXPECT_EQ(entry.path().filename(), "known_peers");
  }
  EXPECT_EQ(entries, 1u);
}

TEST_F(KnownPeersTest, FailedWriteChangesNothing) {
  // The directory cannot be created: a regular file is in the way.
  KnownPeers peers = load();
  std::ofstream(root_ / "config") << "in the way";
  Result<Done> r = peers.remember("grandma", fingerprint(1));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("Not a directory"), std::string::npos) << r.error();
  EXPECT_FALSE(peers.fingerprint_of("grandma"));
}

TEST_F(KnownPeersTest, RememberRejectsBadNamesAndFingerprints) {
  KnownPeers peers = load();
  for (std::string bad : {std::string(), std::string("two words"), std::string(65, 'a'), std::string("a/b"),
                          std::string("#comment"), std::string("tab\tname")}) {
    Result<Done> r = peers.remember(bad, fingerprint(1));
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find("1-64 characters"), std::string::npos) << r.error();
  }
  EXPECT_FALSE(peers.remember("grandma", "sha-256 AB:CD"));
  EXPECT_FALSE(peers.remember("grandma", fingerprint(1).substr(8)));
  EXPECT_FALSE(fs::exists(file_));
  EXPECT_TRUE(KnownPeers::is_valid_name(std::string(64, 'z')));
  EXPECT_TRUE(KnownPeers::is_valid_name("Alice@home.example-1_2"));
}

}  // namespace
}  // namespace peercall
