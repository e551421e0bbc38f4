#include "net/http/http_request_parser.hpp"

#include <algorithm>

#include "net/http/http_version.hpp"

namespace peercall {
namespace {

bool is_method_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_'; }

// Request targets are printable ASCII without spaces (RFC 9112 3.2).
bool is_target(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

// method SP request-target SP HTTP-version, exactly single spaces.
bool HttpRequestParser::parse_start_line(std::string_view line) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return fail(400, "http: malformed request line");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (method.empty() || method.size() > 32 || !std::all_of(method.begin(), method.end(), is_method_char))
    return fail(400, "http: bad method");
  if (!is_target(target)) return fail(400, "http: bad request target");
  switch (parse_http_version(version)) {
    case HttpVersion::kHttp11: message_.version_minor = 1; break;
    case HttpVersion::kHttp10: message_.version_minor = 0; break;
    case HttpVersion::kOtherHttp: return fail(505, "http: only HTTP/1.0 and HTTP/1.1 are supported");
    case HttpVersion::kNotHttp: return fail(400, "http: malformed request line");
  }
  message_.method = std::string(method);
  message_.target = std::string(target);
  return true;
}

std::optional<BodyFraming> HttpRequestParser::choose_framing(const BodyHeaders& body) {
  if (body.transfer_encoding) {
    if (body.chunked) {
      fail(411, "http: chunked request bodies are not supported, send Content-Length");
    } else {
      fail(501, "http: unsupported Transfer-Encoding");
    }
    return std::nullopt;
  }
  return body.content_length ? BodyFraming::kLength : BodyFraming::kNone;
}

}  // namespace peercall
