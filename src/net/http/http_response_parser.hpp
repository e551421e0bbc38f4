#pragma once
// Incremental HTTP/1.0 and 1.1 response parser for a client. Understands
// Content-Length, chunked and read-until-close bodies (call finish() when the
// server closes), since servers pick chunked for larger dynamic bodies.
#include "net/http/http_message_parser.hpp"

namespace peercall {

class HttpResponseParser : public HttpParserOf<HttpResponse> {
 public:
  explicit HttpResponseParser(HttpLimits limits = {}) : HttpParserOf(limits) {}

 private:
  bool parse_start_line(std::string_view line) override;
  std::optional<BodyFraming> choose_framing(const BodyHeaders& body) override;
};

}  // namespace peercall
