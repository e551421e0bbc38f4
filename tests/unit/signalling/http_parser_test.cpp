#include <gtest/gtest.h>

#include <random>
#include <string>

#include "net/http/http_request_parser.hpp"
#include "net/http/http_response_parser.hpp"

using namespace peercall;

namespace {

const std::string kPost =
    "POST /whip?room=1 HTTP/1.1\r\n"
    "Host: example\r\n"
    "Content-Type: application/sdp\r\n"
    "content-length: 12\r\n"
    "X-Spaces:   padded value \t\r\n"
    "\r\n"
    "v=0\r\no=- 1\r\n";

ParseStatus feed_bytewise(HttpMessageParser& p, std::string_view data) {
  ParseStatus s = ParseStatus::kNeedMore;
  for (size_t i = 0; i < data.size(); ++i) {
    s = p.feed(data.substr(i, 1));
    if (s != ParseStatus::kNeedMore && i + 1 != data.size()) ADD_FAILURE() << "finished early at byte " << i;
  }
  return s;
}

std::string request_with_header_lines(size_t count, size_t value_size) {
  std::string r = "GET / HTTP/1.1\r\n";
  for (size_t i = 0; i < count; ++i) r += "X-H" + std::to_string(i) + ": " + std::string(value_size, 'v') + "\r\n";
  return r + "\r\n";
}

void expect_post(const HttpRequest& r) {
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/whip?room=1");
  EXPECT_EQ(r.path(), "/whip");
  EXPECT_EQ(r.version_minor, 1);
  EXPECT_EQ(r.headers.get("CONTENT-TYPE").value_or(""), "application/sdp");
  EXPECT_EQ(r.headers.get("x-spaces").value_or(""), "padded value");
  EXPECT_EQ(r.body, "v=0\r\no=- 1\r\n");
  EXPECT_TRUE(r.keep_alive());
}

}  // namespace

TEST(HttpRequestParser, CompleteRequestInOneFeed) {
  HttpRequestParser p;
  ASSERT_EQ(p.feed(kPost), ParseStatus::kComplete);
  expect_post(p.take());
  EXPECT_EQ(p.buffered_bytes(), 0u);
  EXPECT_FALSE(p.message_started());
}

TEST(HttpRequestParser, ByteByByte) {
  HttpRequestParser p;
  ASSERT_EQ(feed_bytewise(p, kPost), ParseStatus::kComplete);
  expect_post(p.take());
}

TEST(HttpRequestParser, PipelinedRequestsAndBareLf) {
  std::string two = kPost + "\r\nGET / HTTP/1.0\nConnection: keep-alive\n\n" + "DELETE /session/x HTTP/1.1\r\nConnection: close\r\n\r\n";
  HttpRequestParser p;
  ASSERT_EQ(p.feed(two), ParseStatus::kComplete);
  expect_post(p.take());
  ASSERT_EQ(p.feed(ByteView()), ParseStatus::kComplete);  // blank line between requests is skipped
  HttpRequest get = p.take();
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.version_minor, 0);
  EXPECT_TRUE(get.keep_alive());
  ASSERT_EQ(p.feed(ByteView()), ParseStatus::kComplete);
  HttpRequest del = p.take();
  EXPECT_EQ(del.target, "/session/x");
  EXPECT_FALSE(del.keep_alive());
  EXPECT_EQ(p.feed(ByteView()), ParseStatus::kNeedMore);
}

TEST(HttpRequestParser, Http10DefaultsToClose) {
  HttpRequestParser p;
  ASSERT_EQ(p.feed("GET / HTTP/1.0\r\n\r\n"), ParseStatus::kComplete);
  EXPECT_FALSE(p.take().keep_alive());
}

TEST(HttpRequestParser, HeaderCountLimit) {
  HttpRequestParser ok;
  EXPECT_EQ(ok.feed(request_with_header_lines(100, 4)), ParseStatus::kComplete);
  HttpRequestParser p;
  EXPECT_EQ(p.feed(request_with_header_lines(101, 4)), ParseStatus::kError);
  EXPECT_EQ(p.error_status(), 431);
}

TEST(HttpRequestParser, HeaderBlockSizeLimit) {
  HttpRequestParser ok;
  EXPECT_EQ(ok.feed(request_with_header_lines(1, 15000)), ParseStatus::kComplete);
  HttpRequestParser p;  // 17 KiB, never terminated: must fail, not wait for more
  EXPECT_EQ(p.feed("GET / HTTP/1.1\r\nX-Big: " + std::string(17 * 1024, 'a')), ParseStatus::kError);
  EXPECT_EQ(p.error_status(), 431);
  HttpRequestParser many;  // many lines that each fit, summing past the limit, fed byte by byte
  std::string lines = request_with_header_lines(90, 200);
  ParseStatus s = ParseStatus::kNeedMore;
  for (size_t i = 0; i < lines.size() && s == ParseStatus::kNeedMore; ++i) s = many.feed(lines.substr(i, 1));
  EXPECT_EQ(s, ParseStatus::kError);
  EXPECT_EQ(many.error_status(), 431);
  HttpRequestParser line;  // an endless request line
  EXPECT_EQ(line.feed("GET /" + std::string(20000, 'a')), ParseStatus::kError);
}

TEST(HttpRequestParser, BadContentLength) {
  for (const char* value : {"-1", "+5", "1e3", "0x10", "5 5", "5,5", "", "١"}) {
    HttpRequestParser p;
    std::string req = std::string("POST / HTTP/1.1\r\nContent-Length: ") + value + "\r\n\r\nhello";
    EXPECT_EQ(p.feed(req), ParseStatus::kError) << value;
    EXPECT_EQ(p.error_status(), 400) << value;
  }
  HttpRequestParser conflicting;
  EXPECT_EQ(conflicting.feed("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"), ParseStatus::kError);
  HttpRequestParser same;  // repeated identical lengths are allowed by RFC 9110
  EXPECT_EQ(same.feed("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab"), ParseStatus::kComplete);
  HttpRequestParser both;
  EXPECT_EQ(both.feed("POST / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\nab"),
            ParseStatus::kError);
  EXPECT_EQ(both.error_status(), 400);
}

TEST(HttpRequestParser, BodyLimitAndHugeLengths) {
  HttpRequestParser ok;
  std::string body(64 * 1024, 'x');
  EXPECT_EQ(ok.feed("POST / HTTP/1.1\r\nContent-Length: 65536\r\n\r\n" + body), ParseStatus::kComplete);
  EXPECT_EQ(ok.take().body.size(), body.size());
  for (const char* value : {"65537", "99999999999999999999999999999999"}) {
    HttpRequestParser p;
    EXPECT_EQ(p.feed(std::string("POST / HTTP/1.1\r\nContent-Length: ") + value + "\r\n\r\n"), ParseStatus::kError);
    EXPECT_EQ(p.error_status(), 413) << value;
  }
}

TEST(HttpRequestParser, ChunkedAndUnknownCodingsRefused) {
  HttpRequestParser chunked;
  EXPECT_EQ(chunked.feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
            ParseStatus::kError);
  EXPECT_EQ(chunked.error_status(), 411);
  HttpRequestParser gzip;
  EXPECT_EQ(gzip.feed("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), ParseStatus::kError);
  EXPECT_EQ(gzip.error_status(), 501);
}

TEST(HttpRequestParser, MalformedHeadsRejected) {
  struct Case {
    const char* text;
    int status;
  };
  for (Case c : {Case{"GET / HTTP/2.0\r\n\r\n", 505}, Case{"GET / HTTP/1.1 \r\n\r\n", 400},
                 Case{"GET  / HTTP/1.1\r\n\r\n", 400}, Case{"GET / FTP/1.1\r\n\r\n", 400},
                 Case{"GET /\r\n\r\n", 400}, Case{"G@T / HTTP/1.1\r\n\r\n", 400},
                 Case{"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400}, Case{"GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400},
                 Case{"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400},
                 Case{"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", 400}, Case{"GET /\x01 HTTP/1.1\r\n\r\n", 400}}) {
    HttpRequestParser p;
    EXPECT_EQ(p.feed(std::string_view(c.text)), ParseStatus::kError) << c.text;
    EXPECT_EQ(p.error_status(), c.status) << c.text;
    EXPECT_NE(std::string(p.error()), "");
    EXPECT_EQ(p.feed("GET / HTTP/1.1\r\n\r\n"), ParseStatus::kError) << "errors are sticky";
  }
}

TEST(HttpRequestParser, FinishDistinguishesCleanCloseFromTruncation) {
  HttpRequestParser idle;
  idle.feed("\r\n");
  EXPECT_EQ(idle.finish(), ParseStatus::kNeedMore);
  HttpRequestParser cut;
  cut.feed("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_TRUE(cut.message_started());
  EXPECT_EQ(cut.finish(), ParseStatus::kError);
}

TEST(HttpRequestParser, HeadCompleteBeforeBody) {
  HttpRequestParser p;
  EXPECT_EQ(p.feed("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"), ParseStatus::kNeedMore);
  EXPECT_TRUE(p.head_complete());
  EXPECT_EQ(p.headers().get("expect").value_or(""), "100-continue");
  EXPECT_EQ(p.feed("abc"), ParseStatus::kComplete);
}

TEST(HttpResponseParser, ContentLengthByteByByte) {
  std::string text = "HTTP/1.1 201 Created\r\nLocation: /session/a\r\nContent-Length: 5\r\n\r\nv=0\r\n";
  HttpResponseParser p;
  ASSERT_EQ(feed_bytewise(p, text), ParseStatus::kComplete);
  HttpResponse r = p.take();
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.reason, "Created");
  EXPECT_EQ(r.headers.get("location").value_or(""), "/session/a");
  EXPECT_EQ(r.body, "v=0\r\n");
}

TEST(HttpResponseParser, ChunkedBody) {
  std::string text =
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\nv=0\r\r\n6\r\n\no=- 1\r\n0\r\nTrailer: x\r\n\r\n"
      "HTTP/1.1 204 No Content\r\n\r\n";
  for (bool bytewise : {false, true}) {
    HttpResponseParser p;
    ParseStatus s = bytewise ? ParseStatus::kNeedMore : p.feed(text);
    if (bytewise) {
      for (char c : text)
        if ((s = p.feed(std::string_view(&c, 1))) == ParseStatus::kComplete) break;
    }
    ASSERT_EQ(s, ParseStatus::kComplete);
    EXPECT_EQ(p.take().body, "v=0\r\no=- 1");
    if (!bytewise) {
      ASSERT_EQ(p.feed(ByteView()), ParseStatus::kComplete);
      EXPECT_EQ(p.take().status, 204);
    }
  }
  HttpResponseParser bad;
  EXPECT_EQ(bad.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n"), ParseStatus::kError);
  HttpResponseParser huge;
  EXPECT_EQ(huge.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n"),
            ParseStatus::kError);
}

TEST(HttpResponseParser, BodyUntilCloseAndNoBodyStatuses) {
  HttpResponseParser p;
  EXPECT_EQ(p.feed("HTTP/1.0 200 OK\r\n\r\npeercall"), ParseStatus::kNeedMore);
  EXPECT_EQ(p.feed(" 0.1"), ParseStatus::kNeedMore);
  EXPECT_EQ(p.finish(), ParseStatus::kComplete);
  HttpResponse r = p.take();
  EXPECT_EQ(r.body, "peercall 0.1");
  EXPECT_FALSE(r.keep_alive());

  HttpResponseParser interim;
  EXPECT_EQ(interim.feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204\r\nContent-Length: 99\r\n\r\n"),
            ParseStatus::kComplete);
  EXPECT_EQ(interim.take().status, 100);
  ASSERT_EQ(interim.feed(ByteView()), ParseStatus::kComplete);
  HttpResponse no_content = interim.take();
  EXPECT_EQ(no_content.status, 204);
  EXPECT_EQ(no_content.reason, "");
  EXPECT_TRUE(no_content.body.empty());
}

TEST(HttpResponseParser, MalformedStatusLines) {
  for (const char* text : {"HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/2 200 OK\r\n\r\n",
                           "ICY 200 OK\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n"}) {
    HttpResponseParser p;
    EXPECT_EQ(p.feed(std::string_view(text)), ParseStatus::kError) << text;
  }
}

TEST(HttpMessage, SerializeRoundTrips) {
  HttpResponse r;
  r.status = 201;
  r.headers.add("Location", "/session/a\r\nSet-Cookie: injected");
  r.headers.add("Content-Length", "999");  // ignored: computed from the body
  r.body = "v=0\r\n";
  std::string wire = serialize(r);
  HttpResponseParser p;
  ASSERT_EQ(p.feed(wire), ParseStatus::kComplete);
  HttpResponse back = p.take();
  EXPECT_EQ(back.reason, "Created");
  EXPECT_EQ(back.body, r.body);
  EXPECT_FALSE(back.headers.contains("Set-Cookie"));
  EXPECT_EQ(back.headers.count("Content-Length"), 1u);

  HttpRequest q;
  q.method = "DELETE";
  q.target = "/session/a";
  q.headers.add("Host", "x");
  HttpRequestParser rp;
  ASSERT_EQ(rp.feed(serialize(q)), ParseStatus::kComplete);
  HttpRequest qb = rp.take();
  EXPECT_EQ(qb.method, "DELETE");
  EXPECT_FALSE(qb.headers.contains("Content-Length"));
}

TEST(HttpMessage, HeaderHelpers) {
  EXPECT_TRUE(iequals("Content-Type", "content-TYPE"));
  EXPECT_FALSE(iequals("Content-Type", "Content-Typ"));
  EXPECT_TRUE(header_has_token("keep-alive, Close", "close"));
  EXPECT_FALSE(header_has_token("closed", "close"));
  HttpHeaders h;
  h.add("A", "1");
  h.add("a", "2");
  EXPECT_EQ(h.count("A"), 2u);
  h.set("A", "3");
  EXPECT_EQ(h.count("a"), 1u);
  EXPECT_EQ(h.get("a").value_or(""), "3");
}

// Random bytes, and valid messages with random bytes flipped, cut into random
// pieces: the parsers must stay bounded and terminate, whatever they decide.
TEST(HttpParserFuzz, GarbageNeverCrashes) {
  std::mt19937 rng(20240611);
  const std::string seeds[] = {kPost, "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
                               "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\n\r\n",
                               "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"};
  const char alphabet[] = "\r\n :;0123456789abcdefHTP/.-GETPOSTContent-Length chunked\t";
  for (int iteration = 0; iteration < 5000; ++iteration) {
    std::string data;
    if (iteration % 3 == 0) {
      size_t n = rng() % 600;
      for (size_t i = 0; i < n; ++i) data.push_back(char(rng() % 2 ? rng() % 256 : alphabet[rng() % (sizeof alphabet - 1)]));
    } else {
      data = seeds[rng() % std::size(seeds)];
      for (int flips = int(rng() % 4) + 1; flips > 0; --flips) {
        size_t at = rng() % data.size();
        if (rng() % 2)
          data[at] = char(rng() % 256);
        else
          data.insert(at, 1, alphabet[rng() % (sizeof alphabet - 1)]);
      }
    }
    HttpRequestParser req;
    HttpResponseParser resp;
    size_t pos = 0;
    int messages = 0;
    while (pos < data.size()) {
      size_t n = std::min<size_t>(data.size() - pos, 1 + rng() % 64);
      std::string_view piece(data.data() + pos, n);
      pos += n;
      for (HttpMessageParser* p : {static_cast<HttpMessageParser*>(&req), static_cast<HttpMessageParser*>(&resp)}) {
        ParseStatus s = p->feed(piece);
        while (s == ParseStatus::kComplete && messages < 1000) {
          ++messages;
          if (p == &req) {
            req.take();
          } else {
            resp.take();
          }
          s = p->feed(ByteView());
        }
        ASSERT_LE(p->buffered_bytes(), data.size());
      }
    }
    req.finish();
    resp.finish();
    ASSERT_LT(messages, 1000);
  }
}
