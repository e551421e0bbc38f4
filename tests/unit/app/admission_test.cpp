// --accept: who gets in, and the question put to the user.
#include <gtest/gtest.h>

#include <thread>

#include "app/admission.hpp"

using namespace peercall;

namespace {

const std::string kFingerprint =
    "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:9C";

AdmissionPolicy policy(AcceptMode mode) {
  AdmissionPolicy p;
  p.accept = mode;
  p.invitation = "ABCD-EFGH-JKMN";
  return p;
}

AdmissionRequest uninvited() { return {"/whip", "", kFingerprint, "192.0.2.7"}; }

}  // namespace

TEST(AcceptMode, ParsesTheThreeModes) {
  EXPECT_EQ(*parse_accept_mode("invited"), AcceptMode::kInvited);
  EXPECT_EQ(*parse_accept_mode("ask"), AcceptMode::kAsk);
  EXPECT_EQ(*parse_accept_mode("any"), AcceptMode::kAny);
  auto bad = parse_accept_mode("all");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "--accept all: must be invited, ask or any");
}

TEST(AdmissionPolicy, InvitedRefusesAskAsksAnyAdmits) {
  const auto refused = policy(AcceptMode::kInvited).decide(uninvited());
  EXPECT_FALSE(refused.admitted);
  EXPECT_FALSE(refused.ask);
  EXPECT_EQ(refused.status, 401);

  const auto asked = policy(AcceptMode::kAsk).decide(uninvited());
  EXPECT_FALSE(asked.admitted);
  EXPECT_TRUE(asked.ask);

  const auto any = policy(AcceptMode::kAny).decide(uninvited());
  EXPECT_TRUE(any.admitted);
}

TEST(AdmissionPolicy, InvitedCallersAreNeverAskedAndTheWrongKindIsStillRefused) {
  AdmissionRequest invited = uninvited();
  invited.bearer_token = "ABCD-EFGH-JKMN";
  const auto d = policy(AcceptMode::kAsk).decide(invited);
  EXPECT_TRUE(d.admitted);
  EXPECT_FALSE(d.ask);

  AdmissionRequest viewer = uninvited();
  viewer.path = "/whep";
  const auto wrong = policy(AcceptMode::kAny).decide(viewer);
  EXPECT_FALSE(wrong.admitted);
  EXPECT_EQ(wrong.status, 409);
}

TEST(CallerDescription, ShortFingerprintAddressAndASafeName) {
  EXPECT_EQ(short_fingerprint(kFingerprint), "AB:CD:EF:01...9C");
  EXPECT_EQ(short_fingerprint(""), "?");
  EXPECT_EQ(caller_name("-"), "");
  EXPECT_EQ(caller_name("Ann\x1b[2J\"x"), "Ann[2Jx");
  EXPECT_EQ(caller_name(std::string(100, 'z')).size(), 40u);
  IncomingCaller c{"192.0.2.7", kFingerprint, "Ann", false};
  EXPECT_EQ(describe_caller(c), "call from 192.0.2.7, fingerprint AB:CD:EF:01...9C, \"Ann\"");
  c.name.clear();
  c.viewer = true;
  EXPECT_EQ(describe_caller(c), "viewer from 192.0.2.7, fingerprint AB:CD:EF:01...9C");
}

TEST(AdmissionQuestions, AcceptDeclineAndTimeout) {
  AdmissionQuestions q;
  const Instant t0{};
  IncomingCaller caller{"192.0.2.7", kFingerprint, "", false};
  std::vector<std::pair<bool, std::string>> decided;
  auto record = [&](bool accepted, const std::string& why) { decided.emplace_back(accepted, why); };

  EXPECT_FALSE(q.on_key('a')) << "nothing to answer";
  ASSERT_TRUE(q.ask(caller, t0 + seconds(30), record));
  EXPECT_FALSE(q.ask(caller, t0 + seconds(30), record)) << "one question at a time";
  EXPECT_NE(q.prompt().find("a = accept, d = decline"), std::string::npos);
  EXPECT_FALSE(q.on_key('x'));
  EXPECT_TRUE(q.on_key('y'));
  EXPECT_FALSE(q.is_open());
  EXPECT_EQ(q.prompt(), "");

  ASSERT_TRUE(q.ask(caller, t0 + seconds(30), record));
  EXPECT_TRUE(q.on_key('n'));

  ASSERT_TRUE(q.ask(caller, t0 + seconds(30), record));
  EXPECT_FALSE(q.expire(t0 + seconds(29)));
  EXPECT_TRUE(q.expire(t0 + seconds(30)));
  EXPECT_FALSE(q.on_key('a')) << "too late";

  ASSERT_EQ(decided.size(), 3u);
  EXPECT_EQ(decided[0], std::make_pair(true, std::string()));
  EXPECT_EQ(decided[1], std::make_pair(false, std::string("declined")));
  EXPECT_EQ(decided[2], std::make_pair(false, std::string("no answer within 30 s")));
}

TEST(AdmissionQuestions, AKeyAndTheTimerRacingDecideOnce) {
  for (int round = 0; round < 200; ++round) {
    AdmissionQuestions q;
    std::atomic<int> decisions{0};
    ASSERT_TRUE(q.ask({"a", "", "", false}, Instant{}, [&](bool, const std::string&) { ++decisions; }));
    std::thread key([&] { q.on_key('a'); });
    q.expire(Instant{} + seconds(1));
    key.join();
    EXPECT_EQ(decisions.load(), 1);
  }
}
