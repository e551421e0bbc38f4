// Offers answered later (the listener's user is asked first): the connection
// waits past its own deadline (bounded), the caller is told to wait by a 102,
// and a decline reads as one line.
#include "signalling_test_support.hpp"

using namespace peercall;
using namespace peercall::test;

namespace {

class SignallingAsyncOffer : public SignallingFixture {
 protected:
  // Starts a server whose /whip handler keeps the responder for the test.
  void start_async(SignallingLimits limits) {
    SignallingServerConfig c = config(limits);
    c.offer_routes = {{"/whip", nullptr, [this](const std::string&, const OfferContext&, OfferResponder reply) {
                         std::lock_guard lock(mu_);
                         responder_ = std::move(reply);
                         asked_.set_value();
                       }}};
    start_with(std::move(c));
  }
  // Waits for the offer to reach the handler, then answers from this thread.
  void reply_after_asked(OfferResult result, std::chrono::milliseconds delay) {
    ASSERT_EQ(asked_.get_future().wait_for(5s), std::future_status::ready);
    std::this_thread::sleep_for(delay);  // the user thinking: the delay is the point of the test
    OfferResponder reply;
    {
      std::lock_guard lock(mu_);
      reply = responder_;
    }
    reply(std::move(result));
    reply({201, "second reply", "ignored", ""});  // only the first counts
  }

  std::promise<void> asked_;
  OfferResponder responder_;
};

}  // namespace

TEST_F(SignallingAsyncOffer, LateReplyOutlivesTheConnectionDeadlineAndCallerIsToldToWait) {
  SignallingLimits limits;
  limits.connection_deadline = 400ms;  // the reply comes after it
  limits.request_deadline = 300ms;
  start_async(limits);
  ASSERT_NE(port_, 0) << listen_error_;
  auto client = connect_client();
  ASSERT_TRUE(client);
  std::thread user([this] { reply_after_asked({201, "answer", "s1", ""}, 700ms); });
  int waiting = 0;
  auto answer = client->post_offer("/whip", "v=0 offer", "", 2s, [&] { ++waiting; });
  user.join();
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->status, 201);
  EXPECT_EQ(answer->sdp, "answer");
  EXPECT_EQ(answer->location, "/session/s1");
  EXPECT_EQ(waiting, 1) << "the 102 told the caller to wait";
}

TEST_F(SignallingAsyncOffer, DeclineIsOneLineForTheCaller) {
  start_async({});
  ASSERT_NE(port_, 0) << listen_error_;
  auto client = connect_client();
  ASSERT_TRUE(client);
  std::thread user([this] {
    reply_after_asked({403, "", "", "the other side declined the call", {{"Peercall-Decision", "declined"}}}, 50ms);
  });
  auto answer = client->post_offer("/whip", "v=0 offer", "", 2s);
  user.join();
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->status, 403);
  EXPECT_EQ(answer->message, "the other side declined the call");
}

TEST_F(SignallingAsyncOffer, NoReplyEndsIn503AtThePendingDeadline) {
  SignallingLimits limits;
  limits.connection_deadline = 300ms;
  limits.pending_offer_deadline = 800ms;  // past the connection's deadline, and bounded
  start_async(limits);
  ASSERT_NE(port_, 0) << listen_error_;
  auto client = connect_client();
  ASSERT_TRUE(client);
  const auto before = std::chrono::steady_clock::now();
  auto answer = client->post_offer("/whip", "v=0 offer", "", 5s);
  const auto took = std::chrono::steady_clock::now() - before;
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->status, 503);
  EXPECT_NE(answer->message.find("no answer in time"), std::string::npos) << answer->message;
  EXPECT_GE(took, 700ms) << "the pending offer outlived the connection deadline";
  EXPECT_LT(took, 3s);
  EXPECT_GE(server_->stats().timeouts, 1u);
  // A reply after the 503 is ignored (the connection is gone or moved on).
  std::lock_guard lock(mu_);
  if (responder_) responder_({201, "late", "s9", ""});
}

TEST_F(SignallingAsyncOffer, SyncHandlersStillAnswerAtOnceWithoutA102) {
  start();
  ASSERT_NE(port_, 0) << listen_error_;
  auto client = connect_client();
  ASSERT_TRUE(client);
  int waiting = 0;
  auto answer = client->post_offer("/whip", "v=0 offer", "t", 2s, [&] { ++waiting; });
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->status, 201);
  EXPECT_EQ(waiting, 0);
}

TEST(SignallingClientHint, RefusedConnectionNamesTheListenerToRun) {
  const uint16_t port = closed_port();  // nobody listens there now
  auto refused = SignallingClient::connect("127.0.0.1", port, 2s, "peercall stream");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("is `peercall stream` running there?"), std::string::npos) << refused.error();
}
