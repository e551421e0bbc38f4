// The routes as a pure function: no sockets.
#include <gtest/gtest.h>

#include <stdexcept>

#include "net/signalling/signalling_router.hpp"

using namespace peercall;
namespace http = boost::beast::http;

namespace {

HttpRequest make(http::verb method, const char* target, std::string body = {}, const char* type = "application/sdp") {
  HttpRequest r{method, target, 11};
  if (type) r.set(http::field::content_type, type);
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

std::string header(const HttpResponse& r, http::field f) { return std::string(r[f]); }
std::string header(const HttpResponse& r, const char* name) { return std::string(r[name]); }
bool has(const HttpResponse& r, http::field f) { return r.find(f) != r.end(); }

struct Calls {
  std::string offer;
  OfferContext context;
  std::string hung_up;
  int offers = 0;
};

OfferHandler recording(Calls& calls, OfferResult result) {
  return [&calls, result](const std::string& sdp, const OfferContext& context) {
    calls.offer = sdp;
    calls.context = context;
    ++calls.offers;
    return result;
  };
}

SignallingRouter make_router(Calls& calls, OfferResult result = {201, "v=0 answer", "abc-1", ""},
                             std::string page = "<!doctype html><p>hi</p>") {
  return SignallingRouter(std::move(page), {{"/whip", recording(calls, result)}}, [&calls](const std::string& id) {
    calls.hung_up = id;
    return id == "abc-1";
  });
}

const OfferContext kAddresses{"10.0.0.9", "10.0.0.1"};

}  // namespace

TEST(SignallingRouter, PostOfferCreatesSession) {
  Calls calls;
  SignallingRouter router = make_router(calls);
  for (const char* path : {"/whip", "/whip?x=1"}) {
    HttpRequest req = make(http::verb::post, path, "v=0 offer");
    req.set(http::field::user_agent, "test-agent");
    HttpResponse r = router.handle(req, kAddresses);
    EXPECT_EQ(r.result_int(), 201u) << path;
    EXPECT_EQ(header(r, http::field::location), "/session/abc-1");
    EXPECT_EQ(header(r, http::field::content_type), "application/sdp");
    EXPECT_FALSE(has(r, http::field::access_control_allow_origin)) << "no Origin, no CORS";
    EXPECT_EQ(r.body(), "v=0 answer");
    EXPECT_EQ(header(r, http::field::content_length), "10");
    EXPECT_EQ(calls.offer, "v=0 offer");
    EXPECT_EQ(calls.context.remote_address, "10.0.0.9");
    EXPECT_EQ(calls.context.local_address, "10.0.0.1");
    EXPECT_EQ(calls.context.user_agent, "test-agent");
    EXPECT_EQ(calls.context.path, "/whip");
    EXPECT_EQ(calls.context.bearer_token, "");
    EXPECT_EQ(calls.context.origin, "");
  }
}

TEST(SignallingRouter, BearerTokenIsPassedThroughNotJudged) {
  Calls calls;
  SignallingRouter router = make_router(calls);
  const std::pair<const char*, const char*> cases[] = {
      {"Bearer abc.DEF-1", "abc.DEF-1"}, {"bearer   xyz ", "xyz"}, {"Basic dXNlcg==", ""}, {"Bearer", ""}, {"Bearerx y", ""}};
  for (auto [authorization, token] : cases) {
    HttpRequest req = make(http::verb::post, "/whip", "v=0");
    req.set(http::field::authorization, authorization);
    EXPECT_EQ(router.handle(req, kAddresses).result_int(), 201u);
    EXPECT_EQ(calls.context.bearer_token, token) << authorization;
  }
}

TEST(SignallingRouter, EachOfferPathHasItsHandlerAndOthersAre404) {
  Calls calls, viewers;
  SignallingRouter router("", {{"/whip", recording(calls, {201, "call", "c1", ""})},
                               {"/whep", recording(viewers, {201, "stream", "v1", ""})}},
                          nullptr);
  EXPECT_EQ(router.handle(make(http::verb::post, "/whip", "v=0"), kAddresses).body(), "call");
  EXPECT_EQ(router.handle(make(http::verb::post, "/whep", "v=0"), kAddresses).body(), "stream");
  EXPECT_EQ(calls.context.path, "/whip");
  EXPECT_EQ(viewers.context.path, "/whep");
  for (const char* path : {"/", "/nope", "/session/c1"}) {
    HttpResponse r = router.handle(make(http::verb::post, path, "v=0"), kAddresses);
    EXPECT_EQ(r.result_int(), 404u) << path;
    EXPECT_EQ(r.body(), "not found: offers go to /whip or /whep\n");
    EXPECT_EQ(header(r, http::field::content_type), "text/plain; charset=utf-8");
  }
  EXPECT_EQ(calls.offers + viewers.offers, 2);
}

TEST(SignallingRouter, PageHasStrictHeadersAndNoCors) {
  Calls calls;
  SignallingRouter router = make_router(calls);
  for (const char* path : {"/", "/call", "/call?room=1"}) {
    HttpRequest req = make(http::verb::get, path, "", nullptr);
    req.set(http::field::origin, "https://evil.example");
    HttpResponse r = router.handle(req, kAddresses);
    EXPECT_EQ(r.result_int(), 200u) << path;
    EXPECT_EQ(header(r, http::field::content_type), "text/html; charset=utf-8");
    EXPECT_EQ(header(r, "Content-Security-Policy"),
              "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; "
              "media-src blob: mediastream:; connect-src 'self'");
    EXPECT_EQ(header(r, http::field::cache_control), "no-store");
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
    EXPECT_FALSE(has(r, http::field::access_control_allow_origin));
    EXPECT_EQ(r.body(), "<!doctype html><p>hi</p>");
  }
  SignallingRouter bare = make_router(calls, {}, "");
  HttpResponse health = bare.handle(make(http::verb::get, "/", "", nullptr), kAddresses);
  EXPECT_EQ(health.result_int(), 200u);
  EXPECT_EQ(health.body(), "peercall " PEERCALL_VERSION "\n");
}

TEST(SignallingRouter, DeleteSession) {
  Calls calls;
  SignallingRouter router = make_router(calls);
  EXPECT_EQ(router.handle(make(http::verb::delete_, "/session/abc-1", "", nullptr), kAddresses).result_int(), 200u);
  EXPECT_EQ(calls.hung_up, "abc-1");
  EXPECT_EQ(router.handle(make(http::verb::delete_, "/session/other", "", nullptr), kAddresses).result_int(), 404u);
  EXPECT_EQ(calls.hung_up, "other");
  calls.hung_up.clear();
  for (const char* bad : {"/session/", "/session/a%20b", "/session/a/b"})
    EXPECT_EQ(router.handle(make(http::verb::delete_, bad, "", nullptr), kAddresses).result_int(), 404u) << bad;
  EXPECT_EQ(calls.hung_up, "") << "bad ids never reach the handler";
}

TEST(SignallingRouter, PatchIsTrickleIceAndRefused) {
  Calls calls;
  SignallingRouter router = make_router(calls);
  for (const char* path : {"/session/abc-1", "/whip"}) {
    HttpResponse r = router.handle(make(http::verb::patch, path, "a=candidate", "application/trickle-ice-sdpfrag"),
                                   kAddresses);
    EXPECT_EQ(r.result_int(), 405u);
    EXPECT_EQ(r.body(), "trickle ICE is not supported: send the offer after gathering\n");
  }
}

TEST(SignallingRouter, OptionsAndCorsPreflight) {
  Calls calls;
  SignallingRouter router = make_router(calls);
  HttpResponse plain = router.handle(make(http::verb::options, "/whip", "", nullptr), kAddresses);
  EXPECT_EQ(plain.result_int(), 204u);
  EXPECT_EQ(header(plain, http::field::allow), "POST, OPTIONS");
  EXPECT_EQ(header(plain, http::field::accept_post), "application/sdp");
  EXPECT_FALSE(has(plain, http::field::access_control_allow_origin));

  HttpRequest preflight = make(http::verb::options, "/whip", "", nullptr);
  preflight.set(http::field::origin, "https://friend.example:8443");
  preflight.set(http::field::access_control_request_method, "POST");
  HttpResponse r = router.handle(preflight, kAddresses);
  EXPECT_EQ(r.result_int(), 204u);
  EXPECT_EQ(header(r, http::field::access_control_allow_origin), "https://friend.example:8443");
  EXPECT_EQ(header(r, http::field::access_control_allow_methods), "POST, DELETE, OPTIONS");
  EXPECT_EQ(header(r, http::field::access_control_allow_headers), "Authorization, Content-Type");
  EXPECT_EQ(header(r, http::field::vary), "Origin");

  HttpResponse session = router.handle(make(http::verb::options, "/session/abc-1", "", nullptr), kAddresses);
  EXPECT_EQ(header(session, http::field::allow), "DELETE, OPTIONS");
  EXPECT_FALSE(has(session, http::field::accept_post));
  EXPECT_EQ(router.handle(make(http::verb::options, "*", "", nullptr), kAddresses).result_int(), 204u);
  EXPECT_EQ(router.handle(make(http::verb::options, "/nope", "", nullptr), kAddresses).result_int(), 404u);
}

TEST(SignallingRouter, PostGrantsOriginOnlyOnSuccess) {
  Calls calls;
  SignallingRouter ok = make_router(calls);
  HttpRequest req = make(http::verb::post, "/whip", "v=0");
  req.set(http::field::origin, "https://friend.example");
  req.set(http::field::authorization, "Bearer good");
  HttpResponse r = ok.handle(req, kAddresses);
  EXPECT_EQ(r.result_int(), 201u);
  EXPECT_EQ(header(r, http::field::access_control_allow_origin), "https://friend.example");
  EXPECT_EQ(header(r, http::field::access_control_expose_headers), "Location");
  EXPECT_EQ(header(r, http::field::vary), "Origin");
  EXPECT_EQ(calls.context.origin, "https://friend.example");

  for (int status : {401, 403, 409, 503}) {
    SignallingRouter refusing = make_router(calls, {status, "", "", "no"});
    HttpResponse refused = refusing.handle(req, kAddresses);
    EXPECT_EQ(refused.result_int(), unsigned(status));
    EXPECT_EQ(refused.body(), "no\n");
    EXPECT_FALSE(has(refused, http::field::access_control_allow_origin)) << status;
  }
}

TEST(SignallingRouter, HandlerRefusalsAndFailures) {
  Calls calls;
  EXPECT_EQ(make_router(calls, {409, "", "", "busy: already in a call"})
                .handle(make(http::verb::post, "/whip", "v=0"), kAddresses)
                .body(),
            "busy: already in a call\n");
  HttpResponse sip = make_router(calls, {488, "", "", "cannot agree on media"})
                         .handle(make(http::verb::post, "/whip", "v=0"), kAddresses);
  EXPECT_EQ(sip.result_int(), 488u);
  EXPECT_EQ(std::string(sip.reason()), "Client Error");
  EXPECT_EQ(make_router(calls, {200, "x", "y", ""}).handle(make(http::verb::post, "/whip", "v=0"), kAddresses).result_int(),
            500u);
  EXPECT_EQ(make_router(calls, {201, "x", "bad id/", ""}).handle(make(http::verb::post, "/whip", "v=0"), kAddresses).result_int(),
            500u);
  SignallingRouter throwing("", {{"/whip", [](const std::string&, const OfferContext&) -> OfferResult {
                                    throw std::runtime_error("boom");
                                  }}},
                            [](const std::string&) -> bool { throw std::runtime_error("bang"); });
  HttpResponse r = throwing.handle(make(http::verb::post, "/whip", "v=0"), kAddresses);
  EXPECT_EQ(r.result_int(), 500u);
  EXPECT_EQ(r.body(), "internal error: boom\n");
  EXPECT_EQ(throwing.handle(make(http::verb::delete_, "/session/x", "", nullptr), kAddresses).result_int(), 500u);
}

TEST(SignallingRouter, OfferNeedsSdpBody) {
  Calls calls;
  SignallingRouter router = make_router(calls);
  HttpResponse json = router.handle(make(http::verb::post, "/whip", "{}", "application/json"), kAddresses);
  EXPECT_EQ(json.result_int(), 415u);
  EXPECT_EQ(header(json, http::field::accept_post), "application/sdp");
  EXPECT_EQ(router.handle(make(http::verb::post, "/whip", "v=0", "Application/SDP; charset=utf-8"), kAddresses).result_int(),
            201u);
  EXPECT_EQ(router.handle(make(http::verb::post, "/whip", ""), kAddresses).result_int(), 400u);
  EXPECT_EQ(calls.offers, 1);
}

TEST(SignallingRouter, ExtraHeadersAreCheckedBeforeUse) {
  Calls calls;
  OfferResult result{201, "v=0", "s1", ""};
  result.headers = {{"ETag", "\"v1\""}, {"Location", "/elsewhere"}, {"X-Bad", "a\r\nSet-Cookie: x"},
                    {"Access-Control-Allow-Origin", "*"}};
  HttpRequest req = make(http::verb::post, "/whip", "v=0");
  HttpResponse r = make_router(calls, result).handle(req, kAddresses);
  EXPECT_EQ(header(r, http::field::etag), "\"v1\"");
  EXPECT_EQ(header(r, http::field::location), "/session/s1");
  EXPECT_FALSE(has(r, http::field::access_control_allow_origin));
  EXPECT_EQ(r.find("X-Bad"), r.end());
  EXPECT_EQ(r.find(http::field::set_cookie), r.end());
}

TEST(SignallingRouter, OtherMethodsAndPaths) {
  Calls calls;
  SignallingRouter router = make_router(calls);
  HttpResponse get_whip = router.handle(make(http::verb::get, "/whip", "", nullptr), kAddresses);
  EXPECT_EQ(get_whip.result_int(), 405u);
  EXPECT_EQ(header(get_whip, http::field::allow), "POST, OPTIONS");
  EXPECT_EQ(router.handle(make(http::verb::put, "/call", "", nullptr), kAddresses).result_int(), 405u);
  EXPECT_EQ(router.handle(make(http::verb::get, "/secret", "", nullptr), kAddresses).result_int(), 404u);
  EXPECT_EQ(router.handle(make(http::verb::get, "*", "", nullptr), kAddresses).result_int(), 400u);
  HttpResponse big = SignallingRouter::error_response(413, "request body too large");
  EXPECT_EQ(big.result_int(), 413u);
  EXPECT_EQ(big.body(), "request body too large\n");
}
