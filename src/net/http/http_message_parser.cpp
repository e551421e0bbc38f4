#include "net/http/http_message_parser.hpp"

#include <algorithm>
#include <cstring>

namespace peercall {
namespace {

constexpr size_t kMaxChunkSizeLine = 1024;

// RFC 9110 tchar: the characters of a method or header name.
bool is_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

// Field values may hold visible ASCII, spaces, tabs and obs-text; no controls.
bool is_field_value(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  });
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

enum class Length { kOk, kBad, kTooBig };

// Content-Length is 1*DIGIT and nothing else: no sign, no spaces, no lists.
Length parse_content_length(std::string_view s, uint64_t limit, uint64_t& out) {
  if (s.empty()) return Length::kBad;
  uint64_t value = 0;
  bool too_big = false;
  for (char c : s) {
    if (c < '0' || c > '9') return Length::kBad;
    if (!too_big) {
      value = value * 10 + uint64_t(c - '0');
      too_big = value > limit;  // stop before it can overflow
    }
  }
  out = value;
  return too_big ? Length::kTooBig : Length::kOk;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ParseStatus HttpMessageParser::feed(ByteView data) {
  if (state_ != State::kError) {
    compact();
    buf_.append(reinterpret_cast<const char*>(data.data()), data.size());
    parse();
  }
  return status();
}

ParseStatus HttpMessageParser::feed(std::string_view data) {
  return feed(ByteView(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

ParseStatus HttpMessageParser::finish() {
  parse();
  if (state_ == State::kBody && framing_ == BodyFraming::kUntilClose) {
    state_ = State::kComplete;
  } else if (state_ != State::kComplete && state_ != State::kError && message_started()) {
    fail(400, "http: connection closed mid-message");
  }
  return status();
}

ParseStatus HttpMessageParser::status() const {
  if (state_ == State::kComplete) return ParseStatus::kComplete;
  if (state_ == State::kError) return ParseStatus::kError;
  return ParseStatus::kNeedMore;
}

bool HttpMessageParser::message_started() const {
  if (state_ != State::kStartLine) return true;
  return std::any_of(buf_.begin() + std::ptrdiff_t(pos_), buf_.end(), [](char c) { return c != '\r' && c != '\n'; });
}

bool HttpMessageParser::head_complete() const {
  return state_ != State::kStartLine && state_ != State::kHeaders && state_ != State::kError;
}

bool HttpMessageParser::fail(int status, const char* reason) {
  state_ = State::kError;
  error_status_ = status;
  error_ = reason;
  return false;
}

void HttpMessageParser::start_next_message() {
  if (state_ == State::kError) return;
  headers_.clear();
  body_.clear();
  state_ = State::kStartLine;
  framing_ = BodyFraming::kNone;
  head_bytes_ = 0;
  trailer_bytes_ = 0;
  remaining_ = 0;
  compact();
}

// Drops consumed bytes once they are the larger part, so a long run of small
// feeds costs amortised O(1) per byte.
void HttpMessageParser::compact() {
  if (pos_ == 0 || pos_ * 2 < buf_.size()) return;
  buf_.erase(0, pos_);
  scan_ = scan_ > pos_ ? scan_ - pos_ : 0;
  pos_ = 0;
}

HttpMessageParser::Line HttpMessageParser::next_line(std::string_view& line, size_t max_len) {
  size_t from = std::max(pos_, scan_);
  size_t nl = buf_.find('\n', from);
  if (nl == std::string::npos) {
    scan_ = buf_.size();
    return buf_.size() - pos_ > max_len ? Line::kTooLong : Line::kNeedMore;
  }
  size_t consumed = nl + 1 - pos_;
  if (consumed > max_len) return Line::kTooLong;
  line = std::string_view(buf_).substr(pos_, nl - pos_);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // bare LF is tolerated
  pos_ = nl + 1;
  scan_ = pos_;
  return Line::kGot;
}

// A line counted against a budget shared by several lines (the head, the trailers).
HttpMessageParser::Line HttpMessageParser::next_budgeted_line(std::string_view& line, size_t& used) {
  size_t before = pos_;
  Line got = next_line(line, limits_.max_head_bytes - std::min(used, limits_.max_head_bytes));
  if (got == Line::kGot) used += pos_ - before;
  return got;
}

// Moves what is buffered of the remaining body (or chunk) bytes into the body.
void HttpMessageParser::copy_body() {
  size_t n = size_t(std::min<uint64_t>(remaining_, buf_.size() - pos_));
  body_.append(buf_, pos_, n);
  pos_ += n;
  remaining_ -= n;
}

void HttpMessageParser::parse() {
  while (step()) {
  }
}

bool HttpMessageParser::step() {
  std::string_view line;
  switch (state_) {
    case State::kStartLine:
    case State::kHeaders: {
      Line got = next_budgeted_line(line, head_bytes_);
      if (got == Line::kTooLong) return fail(431, "http: header block exceeds the size limit");
      return got == Line::kGot && on_head_line(line);
    }
    case State::kBody: {
      size_t avail = buf_.size() - pos_;
      if (framing_ == BodyFraming::kUntilClose) {
        if (body_.size() + avail > limits_.max_body_bytes) return fail(413, "http: body exceeds the size limit");
        body_.append(buf_, pos_, avail);
        pos_ += avail;
        return false;
      }
      copy_body();
      if (remaining_ == 0) state_ = State::kComplete;
      return false;
    }
    case State::kChunkSize: {
      Line got = next_line(line, kMaxChunkSizeLine);
      if (got == Line::kTooLong) return fail(400, "http: chunk size line too long");
      return got == Line::kGot && on_chunk_size(line);
    }
    case State::kChunkData: {
      copy_body();
      if (remaining_ > 0) return false;
      state_ = State::kChunkEnd;
      return true;
    }
    case State::kChunkEnd: {
      Line got = next_line(line, 2);
      if (got == Line::kTooLong || (got == Line::kGot && !line.empty()))
        return fail(400, "http: chunk data longer than its size");
      if (got == Line::kNeedMore) return false;
      state_ = State::kChunkSize;
      return true;
    }
    case State::kTrailers: {
      Line got = next_budgeted_line(line, trailer_bytes_);
      if (got == Line::kTooLong) return fail(431, "http: trailers exceed the size limit");
      if (got == Line::kNeedMore) return false;
      if (line.empty()) state_ = State::kComplete;  // trailer fields are dropped
      return true;
    }
    case State::kComplete:
    case State::kError:
      return false;
  }
  return false;
}

bool HttpMessageParser::on_head_line(std::string_view line) {
  if (state_ == State::kStartLine) {
    if (line.empty()) return true;  // RFC 9112 2.2: ignore blank lines before a message
    if (!parse_start_line(line)) return state_ == State::kError ? false : fail(400, "http: bad start line");
    state_ = State::kHeaders;
    return true;
  }
  if (line.empty()) return on_head_end();
  return on_header_field(line);
}

bool HttpMessageParser::on_header_field(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') return fail(400, "http: folded header lines are not allowed");
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return fail(400, "http: header line without a colon");
  std::string_view name = line.substr(0, colon);
  std::string_view value = trim_ows(line.substr(colon + 1));
  // A space before the colon is a smuggling vector: reject, don't guess.
  if (!is_token(name)) return fail(400, "http: bad header name");
  if (!is_field_value(value)) return fail(400, "http: control character in header value");
  if (headers_.size() >= limits_.max_headers) return fail(431, "http: too many header fields");
  headers_.add(std::string(name), std::string(value));
  return true;
}

bool HttpMessageParser::on_head_end() {
  BodyHeaders body;
  for (const auto& h : headers_) {
    if (iequals(h.name, "Content-Length")) {
      uint64_t length = 0;
      Length parsed = parse_content_length(h.value, limits_.max_body_bytes, length);
      if (parsed == Length::kBad) return fail(400, "http: Content-Length is not a plain decimal number");
      if (body.content_length && *body.content_length != length)
        return fail(400, "http: conflicting Content-Length headers");
      if (parsed == Length::kTooBig) return fail(413, "http: body exceeds the size limit");
      body.content_length = length;
    } else if (iequals(h.name, "Transfer-Encoding")) {
      body.transfer_encoding = true;
      std::string_view codings = h.value;
      size_t last_comma = codings.rfind(',');
      std::string_view last = trim_ows(last_comma == std::string_view::npos ? codings : codings.substr(last_comma + 1));
      body.chunked = iequals(last, "chunked");
    }
  }
  if (body.transfer_encoding && body.content_length)
    return fail(400, "http: both Content-Length and Transfer-Encoding");
  std::optional<BodyFraming> framing = choose_framing(body);
  if (!framing) return state_ == State::kError ? false : fail(400, "http: cannot frame the body");
  framing_ = *framing;
  switch (framing_) {
    case BodyFraming::kNone:
      state_ = State::kComplete;
      break;
    case BodyFraming::kLength:
      remaining_ = body.content_length.value_or(0);
      body_.reserve(size_t(remaining_));  // bounded by max_body_bytes above
      state_ = remaining_ == 0 ? State::kComplete : State::kBody;
      break;
    case BodyFraming::kChunked:
      state_ = State::kChunkSize;
      break;
    case BodyFraming::kUntilClose:
      state_ = State::kBody;
      break;
  }
  return true;
}

bool HttpMessageParser::on_chunk_size(std::string_view line) {
  std::string_view digits = line.substr(0, line.find_first_of("; \t"));  // chunk extensions are ignored
  if (digits.empty()) return fail(400, "http: bad chunk size");
  uint64_t size = 0;
  uint64_t room = limits_.max_body_bytes - body_.size();
  for (char c : digits) {
    int v = hex_value(c);
    if (v < 0) return fail(400, "http: bad chunk size");
    size = size * 16 + uint64_t(v);
    if (size > room) return fail(413, "http: body exceeds the size limit");
  }
  if (size == 0) {
    state_ = State::kTrailers;
  } else {
    remaining_ = size;
    state_ = State::kChunkData;
  }
  return true;
}

}  // namespace peercall
