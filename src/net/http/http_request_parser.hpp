#pragma once
// Incremental HTTP/1.0 and 1.1 request parser for a server. Bodies need a
// Content-Length (at most HttpLimits::max_body_bytes); chunked request bodies
// are refused with 411 so the client retries with a length.
#include "net/http/http_message_parser.hpp"

namespace peercall {

class HttpRequestParser : public HttpParserOf<HttpRequest> {
 public:
  explicit HttpRequestParser(HttpLimits limits = {}) : HttpParserOf(limits) {}

 private:
  bool parse_start_line(std::string_view line) override;
  std::optional<BodyFraming> choose_framing(const BodyHeaders& body) override;
};

}  // namespace peercall
