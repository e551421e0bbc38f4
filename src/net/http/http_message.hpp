#pragma once
// HTTP/1.x messages as plain values, plus their wire form. Only what signalling
// needs: no chunked output, no multi-line headers.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peercall {

// ASCII case-insensitive comparison: header names and tokens are case-insensitive.
bool iequals(std::string_view a, std::string_view b);

// True if a comma-separated header value (e.g. Connection) holds `token`.
bool header_has_token(std::string_view value, std::string_view token);

struct HttpHeader {
  std::string name;
  std::string value;
};

// Ordered header list with case-insensitive lookup. Repeated names are kept.
class HttpHeaders {
 public:
  void add(std::string name, std::string value);
  // Replaces every field named `name` with one field.
  void set(std::string_view name, std::string value);
  // First field named `name`, if any.
  std::optional<std::string_view> get(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }
  size_t count(std::string_view name) const;

  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  void clear() { fields_.clear(); }

 private:
  std::vector<HttpHeader> fields_;
};

struct HttpRequest {
  std::string method;  // case-sensitive by spec: "POST", not "post"
  std::string target;  // origin-form "/whip?x=1", or "*"
  int version_minor = 1;  // HTTP/1.<minor>: 0 or 1
  HttpHeaders headers;
  std::string body;

  // Path part of the target (without the query).
  std::string_view path() const;
  // Whether the connection may be reused after this message (RFC 9112 9.3).
  bool keep_alive() const;
};

struct HttpResponse {
  int status = 200;
  std::string reason;  // empty: the standard phrase for `status`
  int version_minor = 1;
  HttpHeaders headers;
  std::string body;

  bool keep_alive() const;
};

// The standard reason phrase ("Not Found"), or "Unknown".
const char* reason_phrase(int status);

// Wire form. Content-Length is always computed from the body (any given one is
// ignored; none for 1xx/204/304 responses); CR, LF and NUL in names and values
// are replaced by spaces so a stray value cannot inject headers.
std::string serialize(const HttpRequest& request);
std::string serialize(const HttpResponse& response);

}  // namespace peercall
