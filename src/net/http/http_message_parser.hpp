#pragma once
// The engine shared by HttpRequestParser and HttpResponseParser: buffering,
// line splitting, the header block with its limits, and body framing
// (Content-Length, chunked, until-close). Sans-I/O: fed bytes, never blocks.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/bytes.hpp"
#include "net/http/http_message.hpp"

namespace peercall {

enum class ParseStatus { kNeedMore, kComplete, kError };

struct HttpLimits {
  size_t max_head_bytes = 16 * 1024;  // start line + header block
  size_t max_headers = 100;
  size_t max_body_bytes = 64 * 1024;
};

// How the end of a body is found (RFC 9112 section 6.3).
enum class BodyFraming { kNone, kLength, kChunked, kUntilClose };

// What the header block says about the body, already validated.
struct BodyHeaders {
  std::optional<uint64_t> content_length;
  bool transfer_encoding = false;  // any Transfer-Encoding header
  bool chunked = false;            // ... whose final coding is chunked
};

class HttpMessageParser {
 public:
  HttpMessageParser(const HttpMessageParser&) = delete;
  HttpMessageParser& operator=(const HttpMessageParser&) = delete;

  // Appends bytes and parses as far as possible. After kComplete, take the
  // message; bytes beyond it stay buffered: feed({}) parses the next one.
  ParseStatus feed(ByteView data);
  ParseStatus feed(std::string_view data);
  // The peer closed its side: completes a body delimited by the close, and is
  // an error if a message was cut off.
  ParseStatus finish();

  ParseStatus status() const;
  const char* error() const { return error_; }           // "" unless kError
  int error_status() const { return error_status_; }     // status to answer with
  // True once any byte of the next message (beyond blank lines) has arrived.
  bool message_started() const;
  size_t buffered_bytes() const { return buf_.size() - pos_; }
  // The header block of the current message is in (the body may not be yet):
  // lets a server answer "Expect: 100-continue" before the body arrives.
  bool head_complete() const;
  const HttpHeaders& headers() const { return headers_; }

 protected:
  explicit HttpMessageParser(HttpLimits limits) : limits_(limits) {}
  virtual ~HttpMessageParser() = default;

  // Parses the first line; on error calls fail() and returns false.
  virtual bool parse_start_line(std::string_view line) = 0;
  // Picks the framing from validated headers; on error calls fail().
  virtual std::optional<BodyFraming> choose_framing(const BodyHeaders& body) = 0;

  bool fail(int status, const char* reason);
  // Forgets the taken message, keeps pipelined bytes.
  void start_next_message();
  HttpHeaders headers_;
  std::string body_;

 private:
  enum class State { kStartLine, kHeaders, kBody, kChunkSize, kChunkData, kChunkEnd, kTrailers, kComplete, kError };
  enum class Line { kGot, kNeedMore, kTooLong };

  Line next_line(std::string_view& line, size_t max_len);
  Line next_budgeted_line(std::string_view& line, size_t& used);
  void copy_body();
  void parse();
  bool step();  // one state transition; false when it needs more bytes or stopped
  bool on_head_line(std::string_view line);
  bool on_header_field(std::string_view line);
  bool on_head_end();
  bool on_chunk_size(std::string_view line);
  void compact();

  HttpLimits limits_;
  State state_ = State::kStartLine;
  BodyFraming framing_ = BodyFraming::kNone;
  std::string buf_;
  size_t pos_ = 0;   // first unconsumed byte of buf_
  size_t scan_ = 0;  // buf_ before this holds no '\n' at or after pos_
  size_t head_bytes_ = 0;
  size_t trailer_bytes_ = 0;
  uint64_t remaining_ = 0;  // body or chunk bytes still expected
  int error_status_ = 0;
  const char* error_ = "";
};

// The part the request and response parsers share that depends on the message
// type: the message being built and handing it out.
template <class Message>
class HttpParserOf : public HttpMessageParser {
 public:
  // Only after kComplete. Keeps any pipelined bytes for the next feed().
  Message take() {
    Message out = std::move(message_);
    out.headers = std::move(headers_);
    out.body = std::move(body_);
    message_ = {};
    start_next_message();
    return out;
  }

 protected:
  using HttpMessageParser::HttpMessageParser;
  Message message_;  // what the start line gave so far
};

}  // namespace peercall
