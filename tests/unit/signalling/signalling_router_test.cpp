#include <gtest/gtest.h>

#include <stdexcept>

#include "net/signalling/signalling_router.hpp"

using namespace peercall;

namespace {

HttpRequest make(const char* method, const char* target, std::string body = {}, const char* type = "application/sdp") {
  HttpRequest r;
  r.method = method;
  r.target = target;
  if (type) r.headers.add("Content-Type", type);
  if (!body.empty() || std::string(method) == "POST") r.headers.add("Content-Length", std::to_string(body.size()));
  r.body = std::move(body);
  return r;
}

struct Calls {
  std::string offer;
  OfferContext context;
  std::string hung_up;
};

SignallingRouter make_router(Calls& calls, OfferResult result = {201, "v=0 answer", "abc-1", ""}) {
  return SignallingRouter(
      [&calls, result](const std::string& sdp, const OfferContext& context) {
        calls.offer = sdp;
        calls.context = context;
        return result;
      },
      [&calls](const std::string& id) {
        calls.hung_up = id;
        return id == "abc-1";
      });
}

}  // namespace

TEST(SignallingRouter, PostOfferCreatesSession) {
  Calls calls;
  SignallingRouter router = make_router(calls);
  for (const char* path : {"/whip", "/", "/whip?token=x"}) {
    HttpRequest req = make("POST", path, "v=0 offer");
    req.headers.add("User-Agent", "test-agent");
    HttpResponse r = router.handle(req, {"10.0.0.9", "10.0.0.1", ""});
    EXPECT_EQ(r.status, 201) << path;
    EXPECT_EQ(r.headers.get("Location").value_or(""), "/session/abc-1");
    EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "application/sdp");
    EXPECT_EQ(r.headers.get("Access-Control-Allow-Origin").value_or(""), "*");
    EXPECT_EQ(r.body, "v=0 answer");
    EXPECT_EQ(calls.offer, "v=0 offer");
    EXPECT_EQ(calls.context.remote_address, "10.0.0.9");
    EXPECT_EQ(calls.context.local_address, "10.0.0.1");
    EXPECT_EQ(calls.context.user_agent, "test-agent");
  }
}

TEST(SignallingRouter, OfferChecks) {
  Calls calls;
  SignallingRouter router = make_router(calls);
  EXPECT_EQ(router.handle(make("POST", "/whip", "v=0", "text/plain"), {}).status, 415);
  EXPECT_EQ(router.handle(make("POST", "/whip", "v=0", nullptr), {}).status, 415);
  EXPECT_EQ(router.handle(make("POST", "/whip", "v=0", "Application/SDP; charset=utf-8"), {}).status, 201);
  EXPECT_EQ(router.handle(make("POST", "/whip", ""), {}).status, 400);
  HttpRequest no_length = make("POST", "/whip");
  no_length.headers = {};
  no_length.headers.add("Content-Type", "application/sdp");
  EXPECT_EQ(router.handle(no_length, {}).status, 411);
}

TEST(SignallingRouter, HandlerRefusalsAndFailures) {
  Calls calls;
  HttpResponse busy = make_router(calls, {409, "", "", "busy: already in a call"}).handle(make("POST", "/whip", "v=0"), {});
  EXPECT_EQ(busy.status, 409);
  EXPECT_EQ(busy.body, "busy: already in a call\n");
  EXPECT_FALSE(busy.headers.contains("Location"));
  EXPECT_EQ(make_router(calls, {200, "v=0", "x", ""}).handle(make("POST", "/whip", "v=0"), {}).status, 500);
  EXPECT_EQ(make_router(calls, {201, "v=0", "bad/id", ""}).handle(make("POST", "/whip", "v=0"), {}).status, 500);
  SignallingRouter throwing([](const std::string&, const OfferContext&) -> OfferResult { throw std::runtime_error("boom"); },
                            [](const std::string&) -> bool { throw std::runtime_error("boom"); });
  EXPECT_EQ(throwing.handle(make("POST", "/whip", "v=0"), {}).status, 500);
  EXPECT_EQ(throwing.handle(make("DELETE", "/session/a"), {}).status, 500);
}

TEST(SignallingRouter, DeleteSession) {
  Calls calls;
  SignallingRouter router = make_router(calls);
  EXPECT_EQ(router.handle(make("DELETE", "/session/abc-1"), {}).status, 200);
  EXPECT_EQ(calls.hung_up, "abc-1");
  EXPECT_EQ(router.handle(make("DELETE", "/session/other"), {}).status, 404);
  calls.hung_up.clear();
  EXPECT_EQ(router.handle(make("DELETE", "/session/a%2Fb"), {}).status, 404);
  EXPECT_EQ(router.handle(make("DELETE", "/session/"), {}).status, 404);
  EXPECT_EQ(calls.hung_up, "") << "invalid ids never reach the handler";
}

TEST(SignallingRouter, OptionsHealthAndErrors) {
  Calls calls;
  SignallingRouter router = make_router(calls);
  HttpResponse options = router.handle(make("OPTIONS", "*"), {});
  EXPECT_EQ(options.status, 204);
  EXPECT_EQ(options.headers.get("Accept-Post").value_or(""), "application/sdp");
  EXPECT_NE(options.headers.get("Allow").value_or("").find("POST"), std::string_view::npos);
  EXPECT_EQ(options.headers.get("Access-Control-Allow-Origin").value_or(""), "*");
  EXPECT_NE(options.headers.get("Access-Control-Allow-Headers").value_or("").find("Content-Type"), std::string_view::npos);
  EXPECT_EQ(router.handle(make("OPTIONS", "/whip"), {}).status, 204);

  HttpResponse health = router.handle(make("GET", "/"), {});
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "peercall " PEERCALL_VERSION "\n");

  EXPECT_EQ(router.handle(make("GET", "/nope"), {}).status, 404);
  HttpResponse wrong = router.handle(make("GET", "/whip"), {});
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers.get("Allow").value_or(""), "POST, OPTIONS");
  EXPECT_EQ(router.handle(make("PATCH", "/session/abc-1"), {}).status, 405);  // no trickle ICE
  EXPECT_EQ(router.handle(make("POST", "*", "v=0"), {}).status, 400);
  EXPECT_EQ(calls.offer, "");
}
