#include "net/signalling/signalling_router.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <memory>
#include <optional>

namespace peercall {
namespace http = boost::beast::http;
namespace {

constexpr std::string_view kSessionPrefix = "/session/";
constexpr size_t kMaxSessionId = 128;
constexpr const char* kCorsMethods = "POST, DELETE, OPTIONS";
constexpr const char* kCorsHeaders = "Authorization, Content-Type";

std::string_view view(boost::beast::string_view s) { return {s.data(), s.size()}; }

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_session_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxSessionId && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '.' || c == '_' || c == '~';
         });
}

// "application/sdp; charset=utf-8" -> compares only the media type.
bool is_sdp(std::string_view content_type) {
  return iequals(trim(content_type.substr(0, content_type.find(';'))), "application/sdp");
}

// "Bearer abc" -> "abc"; any other scheme (or none) -> "".
std::string bearer_token(std::string_view authorization) {
  authorization = trim(authorization);
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size() || !iequals(authorization.substr(0, kScheme.size()), kScheme)) return {};
  std::string_view rest = authorization.substr(kScheme.size());
  if (rest.front() != ' ' && rest.front() != '\t') return {};
  return std::string(trim(rest));
}

// Header text a handler may add: a token name and a value without control
// characters, and none of the headers whose meaning the router owns.
bool is_safe_extra_header(const std::string& name, const std::string& value) {
  if (name.empty() || name.size() > 64 || value.size() > 1024) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
  for (char c : value)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  static constexpr std::array<std::string_view, 6> kOwned = {"location", "content-type", "content-length",
                                                             "transfer-encoding", "connection", "vary"};
  for (std::string_view owned : kOwned)
    if (iequals(name, owned)) return false;
  return !iequals(std::string_view(name).substr(0, 15), "access-control-");
}

HttpResponse base_response(int status, unsigned version) {
  HttpResponse r;
  r.version(version);
  r.result(static_cast<unsigned>(status));
  // Beast knows no reason phrase for e.g. SIP's 488: say something neutral.
  if (http::int_to_status(static_cast<unsigned>(status)) == http::status::unknown)
    r.reason(status >= 500 ? "Server Error" : "Client Error");
  r.set(http::field::server, "peercall/" PEERCALL_VERSION);
  r.set(http::field::cache_control, "no-store");
  r.set("X-Content-Type-Options", "nosniff");
  return r;
}

// Lets the page at `origin` read this answer (and its Location).
void grant_origin(HttpResponse& r, std::string_view origin) {
  if (origin.empty()) return;
  r.set(http::field::access_control_allow_origin, boost::beast::string_view(origin.data(), origin.size()));
  r.set(http::field::access_control_expose_headers, "Location");
  r.set(http::field::vary, "Origin");
}

}  // namespace

SignallingRouter::SignallingRouter(std::string page_html, std::vector<OfferRoute> offer_routes,
                                   HangupHandler on_hangup)
    : page_html_(std::move(page_html)), offer_routes_(std::move(offer_routes)), on_hangup_(std::move(on_hangup)) {}

HttpResponse SignallingRouter::error_response(int status, std::string_view message, unsigned version) {
  HttpResponse r = base_response(status, version);
  r.set(http::field::content_type, "text/plain; charset=utf-8");
  r.body() = std::string(message) + "\n";
  r.prepare_payload();
  return r;
}

const OfferRoute* SignallingRouter::offer_route(std::string_view path) const {
  for (const OfferRoute& route : offer_routes_)
    if (route.path == path) return &route;
  return nullptr;
}

HttpResponse SignallingRouter::handle(const HttpRequest& request, OfferContext context) const {
  // Shared: a late reply of an asynchronous handler must find it alive.
  auto out = std::make_shared<std::optional<HttpResponse>>();
  handle(request, std::move(context), [out](HttpResponse r) { *out = std::move(r); });
  if (!*out) return error_response(500, "internal error: the offer was not answered at once", request.version());
  return std::move(**out);
}

bool SignallingRouter::handle(const HttpRequest& request, OfferContext context, Respond respond) const {
  auto now = [&respond](HttpResponse r) {
    respond(std::move(r));
    return true;
  };
  const unsigned version = request.version();
  std::string_view target = view(request.target());
  std::string_view path = target.substr(0, target.find('?'));
  const bool any = target == "*";
  const bool is_page = path == "/" || path == "/call";
  const OfferRoute* route = offer_route(path);
  std::string session_id;
  if (path.substr(0, kSessionPrefix.size()) == kSessionPrefix && is_session_id(path.substr(kSessionPrefix.size())))
    session_id = std::string(path.substr(kSessionPrefix.size()));
  const bool is_session = !session_id.empty();

  std::string allow;
  auto allow_method = [&allow](bool yes, const char* method) {
    if (yes) allow += std::string(allow.empty() ? "" : ", ") + method;
  };
  allow_method(any || is_page, "GET");
  allow_method(any || route, "POST");
  allow_method(any || is_session, "DELETE");
  allow_method(true, "OPTIONS");

  const http::verb method = request.method();
  if (method == http::verb::options) {
    if (!any && !is_page && !route && !is_session) return now(error_response(404, "not found", version));
    return now(options(request, allow, any || route));
  }
  if (method == http::verb::patch)
    return now(error_response(405, "trickle ICE is not supported: send the offer after gathering", version));
  if (any) return now(error_response(400, "'*' is only for OPTIONS", version));
  if (method == http::verb::post) {
    if (route) return post_offer(request, *route, std::move(context), respond);
    std::string paths;
    for (const OfferRoute& r : offer_routes_) paths += (paths.empty() ? "" : " or ") + r.path;
    return now(error_response(404, paths.empty() ? std::string("not found: no offers are taken here")
                                                 : "not found: offers go to " + paths,
                              version));
  }
  if (method == http::verb::get && is_page) return now(page(request));
  if (method == http::verb::delete_ && is_session) return now(delete_session(request, session_id));
  if (!is_page && !route && !is_session) return now(error_response(404, "not found", version));
  HttpResponse r = error_response(405, "method not allowed", version);
  r.set(http::field::allow, allow);
  return now(std::move(r));
}

HttpResponse SignallingRouter::page(const HttpRequest& request) const {
  HttpResponse r = base_response(200, request.version());
  if (page_html_.empty()) {  // nothing to show: a health check line
    r.set(http::field::content_type, "text/plain; charset=utf-8");
    r.body() = "peercall " PEERCALL_VERSION "\n";
  } else {
    r.set(http::field::content_type, "text/html; charset=utf-8");
    r.set("Content-Security-Policy", kContentSecurityPolicy);
    r.set("Referrer-Policy", "no-referrer");
    r.body() = page_html_;
  }
  r.prepare_payload();
  return r;
}

HttpResponse SignallingRouter::options(const HttpRequest& request, std::string_view allow, bool accepts_post) const {
  HttpResponse r = base_response(204, request.version());
  r.set(http::field::allow, boost::beast::string_view(allow.data(), allow.size()));
  if (accepts_post) r.set(http::field::accept_post, "application/sdp");
  std::string_view origin = view(request[http::field::origin]);
  if (!origin.empty()) {
    // A preflight only says which requests may be tried; whether the page may
    // read the answer is decided per answer (201 only).
    r.set(http::field::access_control_allow_origin, boost::beast::string_view(origin.data(), origin.size()));
    r.set(http::field::access_control_allow_methods, kCorsMethods);
    r.set(http::field::access_control_allow_headers, kCorsHeaders);
    r.set(http::field::access_control_max_age, "600");
    r.set(http::field::vary, "Origin");
  }
  r.prepare_payload();
  return r;
}

bool SignallingRouter::post_offer(const HttpRequest& request, const OfferRoute& route, OfferContext context,
                                  const Respond& respond) const {
  const unsigned version = request.version();
  if (!is_sdp(view(request[http::field::content_type]))) {
    HttpResponse r = error_response(415, "offer must be Content-Type: application/sdp", version);
    r.set(http::field::accept_post, "application/sdp");
    respond(std::move(r));
    return true;
  }
  if (request.body().empty()) {
    respond(error_response(400, "bad sdp: empty offer", version));
    return true;
  }
  context.user_agent = std::string(view(request[http::field::user_agent]));
  context.bearer_token = bearer_token(view(request[http::field::authorization]));
  context.origin = std::string(view(request[http::field::origin]));
  context.path = route.path;
  if (!route.async_handler && !route.handler) {
    respond(error_response(503, "not accepting offers", version));
    return true;
  }

  // Once only, whoever comes first: the handler's reply or its exception.
  auto done = std::make_shared<std::atomic<bool>>(false);
  auto finish = [done, respond](HttpResponse r) {
    if (done->exchange(true)) return;
    respond(std::move(r));
  };
  OfferResponder reply = [finish, origin = context.origin, version](OfferResult result) {
    finish(offer_response(std::move(result), origin, version));
  };
  try {
    if (route.async_handler) {
      route.async_handler(request.body(), context, reply);
    } else {
      reply(route.handler(request.body(), context));
    }
  } catch (const std::exception& e) {
    finish(error_response(500, std::string("internal error: ") + e.what(), version));
  } catch (...) {
    finish(error_response(500, "internal error", version));
  }
  return done->load();
}

HttpResponse SignallingRouter::offer_response(OfferResult result, const std::string& origin, unsigned version) {
  HttpResponse r;
  if (result.status != 201) {
    bool is_error_status = result.status >= 400 && result.status <= 599;
    r = error_response(is_error_status ? result.status : 500, result.error.empty() ? "offer refused" : result.error,
                       version);
  } else if (!is_session_id(result.session_id)) {
    return error_response(500, "internal error: bad session id", version);
  } else {
    r = base_response(201, version);
    r.set(http::field::content_type, "application/sdp");
    r.set(http::field::location, std::string(kSessionPrefix) + result.session_id);
    r.body() = std::move(result.answer_sdp);
    grant_origin(r, origin);
    r.prepare_payload();
  }
  for (const auto& [name, value] : result.headers)
    if (is_safe_extra_header(name, value)) r.set(name, value);
  return r;
}

HttpResponse SignallingRouter::delete_session(const HttpRequest& request, const std::string& id) const {
  bool found = false;
  try {
    found = on_hangup_ && on_hangup_(id);
  } catch (const std::exception& e) {
    return error_response(500, std::string("internal error: ") + e.what(), request.version());
  } catch (...) {
    return error_response(500, "internal error", request.version());
  }
  if (!found) return error_response(404, "no such session", request.version());
  HttpResponse r = base_response(200, request.version());
  // Knowing the session id is the credential (only the 201's reader has it).
  grant_origin(r, view(request[http::field::origin]));
  r.prepare_payload();
  return r;
}

}  // namespace peercall
