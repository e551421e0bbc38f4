#include "net/http/http_message.hpp"

#include <algorithm>

namespace peercall {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool body_forbidden(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

// Header values come partly from handlers; a CR or LF would split the header.
void append_clean(std::string& out, std::string_view text) {
  for (char c : text) out.push_back((c == '\r' || c == '\n' || c == '\0') ? ' ' : c);
}

void append_headers(std::string& out, const HttpHeaders& headers, bool with_length, size_t length) {
  for (const auto& h : headers) {
    if (iequals(h.name, "Content-Length") || iequals(h.name, "Transfer-Encoding")) continue;
    append_clean(out, h.name);
    out += ": ";
    append_clean(out, h.value);
    out += "\r\n";
  }
  if (with_length) out += "Content-Length: " + std::to_string(length) + "\r\n";
  out += "\r\n";
}

bool keep_alive_for(const HttpHeaders& headers, int version_minor) {
  auto connection = headers.get("Connection");
  if (connection && header_has_token(*connection, "close")) return false;
  if (version_minor >= 1) return true;
  return connection && header_has_token(*connection, "keep-alive");
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool header_has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (iequals(trim_ows(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

void HttpHeaders::add(std::string name, std::string value) {
  fields_.push_back({std::move(name), std::move(value)});
}

void HttpHeaders::set(std::string_view name, std::string value) {
  std::erase_if(fields_, [&](const HttpHeader& h) { return iequals(h.name, name); });
  fields_.push_back({std::string(name), std::move(value)});
}

std::optional<std::string_view> HttpHeaders::get(std::string_view name) const {
  for (const auto& h : fields_)
    if (iequals(h.name, name)) return std::string_view(h.value);
  return std::nullopt;
}

size_t HttpHeaders::count(std::string_view name) const {
  return size_t(std::count_if(fields_.begin(), fields_.end(),
                              [&](const HttpHeader& h) { return iequals(h.name, name); }));
}

std::string_view HttpRequest::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

bool HttpRequest::keep_alive() const { return keep_alive_for(headers, version_minor); }
bool HttpResponse::keep_alive() const { return keep_alive_for(headers, version_minor); }

const char* reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string serialize(const HttpRequest& request) {
  std::string out;
  out.reserve(256 + request.body.size());
  append_clean(out, request.method);
  out += ' ';
  append_clean(out, request.target);
  out += request.version_minor == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n";
  // A request without a body only needs a length when its method implies one.
  bool with_length = !request.body.empty() || request.method == "POST" || request.method == "PUT" ||
                     request.method == "PATCH";
  append_headers(out, request.headers, with_length, request.body.size());
  out += request.body;
  return out;
}

std::string serialize(const HttpResponse& response) {
  std::string out;
  bool no_body = body_forbidden(response.status);
  out.reserve(256 + (no_body ? 0 : response.body.size()));
  out += response.version_minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  append_clean(out, response.reason.empty() ? reason_phrase(response.status) : response.reason);
  out += "\r\n";
  append_headers(out, response.headers, !no_body, response.body.size());
  if (!no_body) out += response.body;
  return out;
}

}  // namespace peercall
