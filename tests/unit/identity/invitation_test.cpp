#include "identity/invitation.hpp"

#include <gtest/gtest.h>

#include <set>

namespace peercall {
namespace {

TEST(InvitationCode, Is24CharactersOfLowercaseBase32) {
  for (int i = 0; i < 1000; ++i) {
    std::string code = new_invitation_code();
    ASSERT_EQ(code.size(), 24u);
    for (char c : code) ASSERT_TRUE((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) << code;
  }
}

TEST(InvitationCode, ThousandCodesAreAllDifferent) {
  std::set<std::string> codes;
  for (int i = 0; i < 1000; ++i) codes.insert(new_invitation_code());
  EXPECT_EQ(codes.size(), 1000u);
}

TEST(InvitationCode, UsesTheWholeAlphabetInEveryPosition) {
  // 2000 codes: each of the 32 characters should show up at every position
  // (a missing one, e.g. from a bit-shift bug, has odds of about 32 * e^-62).
  std::vector<std::set<char>> seen(24);
  for (int i = 0; i < 2000; ++i) {
    std::string code = new_invitation_code();
    for (size_t p = 0; p < code.size(); ++p) seen[p].insert(code[p]);
  }
  for (size_t p = 0; p < seen.size(); ++p) EXPECT_EQ(seen[p].size(), 32u) << "position " << p;
}

TEST(InvitationCode, GeneratedCodesPassValidation) {
  std::string code = new_invitation_code();
  Result<std::string> valid = validate_invitation_code(code);
  ASSERT_TRUE(valid) << valid.error();
  EXPECT_EQ(*valid, code);
}

TEST(ValidateInvitationCode, AcceptsUrlSafeCharactersFrom16To128) {
  EXPECT_TRUE(validate_invitation_code("abcdefghijklmnop"));
  EXPECT_TRUE(validate_invitation_code("ABC-def_0123456789"));
  EXPECT_TRUE(validate_invitation_code(std::string(128, 'x')));
  EXPECT_EQ(*validate_invitation_code("Grandma-Sunday_2024"), "Grandma-Sunday_2024");
}

TEST(ValidateInvitationCode, RejectsWithAOneLineReasonSayingWhatIsAllowed) {
  for (std::string bad : {std::string(), std::string("short"), std::string(15, 'a'), std::string(129, 'a'),
                          std::string("has space in it ok"), std::string("slash/is/not/allowed"),
                          std::string("hash#is#not#allowed"), std::string("umlaut-\xc3\xa4-is-not-ok"),
                          std::string("null\0byte-in-it-xx", 18)}) {
    Result<std::string> r = validate_invitation_code(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find("16-128 characters of A-Z a-z 0-9 _ -"), std::string::npos) << r.error();
    EXPECT_EQ(r.error().find('\n'), std::string::npos);
  }
  EXPECT_NE(validate_invitation_code("short").error().find("this one has 5"), std::string::npos);
  EXPECT_NE(validate_invitation_code("abcdefgh ijklmnop").error().find("character 9"), std::string::npos);
}

TEST(ValidateInvitationCode, DoesNotEchoTheSecret) {
  Result<std::string> r = validate_invitation_code("secretsecret!secret");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().find("secretsecret"), std::string::npos) << r.error();
}

TEST(InvitationMatches, EqualCodesMatch) {
  std::string code = new_invitation_code();
  EXPECT_TRUE(invitation_matches(code, std::string(code)));
  EXPECT_TRUE(invitation_matches("abcdefghijklmnop", "abcdefghijklmnop"));
}

TEST(InvitationMatches, AnyDifferenceDoesNot) {
  std::string code = "abcdefghijklmnopqrstuvwx";
  for (size_t i = 0; i < code.size(); ++i) {
    std::string other = code;
    other[i] = other[i] == 'z' ? 'y' : 'z';
    EXPECT_FALSE(invitation_matches(code, other)) << i;
  }
  EXPECT_FALSE(invitation_matches(code, code.substr(0, 23)));
  EXPECT_FALSE(invitation_matches(code, code + "a"));
  EXPECT_FALSE(invitation_matches(code, ""));
  EXPECT_FALSE(invitation_matches(code, "ABCDEFGHIJKLMNOPQRSTUVWX"));  // case matters
}

TEST(InvitationMatches, EmptyExpectedNeverMatches) {
  EXPECT_FALSE(invitation_matches("", ""));
  EXPECT_FALSE(invitation_matches("", "x"));
}

TEST(InvitationMatches, ComparesBytesNotCStrings) {
  std::string a("abcdefgh\0ijklmnop", 17), b("abcdefgh\0zzzzzzzz", 17);
  EXPECT_FALSE(invitation_matches(a, b));
  EXPECT_TRUE(invitation_matches(a, std::string(a)));
}

}  // namespace
}  // namespace peercall
