#include "net/http/http_response_parser.hpp"

#include "net/http/http_version.hpp"

namespace peercall {

// HTTP-version SP 3DIGIT SP [reason]; some servers omit the last space.
bool HttpResponseParser::parse_start_line(std::string_view line) {
  std::string_view version = line.substr(0, line.find(' '));
  switch (parse_http_version(version)) {
    case HttpVersion::kHttp11: message_.version_minor = 1; break;
    case HttpVersion::kHttp10: message_.version_minor = 0; break;
    case HttpVersion::kOtherHttp:
    case HttpVersion::kNotHttp: return fail(400, "http: not an HTTP/1.x status line");
  }
  std::string_view rest = line.substr(version.size());
  if (rest.size() < 4 || rest[0] != ' ' || (rest.size() > 4 && rest[4] != ' '))
    return fail(400, "http: malformed status line");
  int status = 0;
  for (char c : rest.substr(1, 3)) {
    if (c < '0' || c > '9') return fail(400, "http: malformed status code");
    status = status * 10 + (c - '0');
  }
  if (status < 100) return fail(400, "http: malformed status code");
  message_.status = status;
  message_.reason = std::string(rest.size() > 5 ? rest.substr(5) : std::string_view());
  return true;
}

std::optional<BodyFraming> HttpResponseParser::choose_framing(const BodyHeaders& body) {
  int s = message_.status;
  if ((s >= 100 && s < 200) || s == 204 || s == 304) return BodyFraming::kNone;
  if (body.transfer_encoding) return body.chunked ? BodyFraming::kChunked : BodyFraming::kUntilClose;
  if (body.content_length) return BodyFraming::kLength;
  return BodyFraming::kUntilClose;
}

}  // namespace peercall
