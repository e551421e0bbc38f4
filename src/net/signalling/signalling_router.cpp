#include "net/signalling/signalling_router.hpp"

#include <algorithm>
#include <exception>
#include <optional>

namespace peercall {
namespace {

constexpr std::string_view kSessionPrefix = "/session/";
constexpr size_t kMaxSessionId = 128;

enum class Resource { kAny, kRoot, kWhip, kSession, kUnknown };

bool is_session_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxSessionId && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '.' || c == '_' || c == '~';
         });
}

Resource resource_of(const HttpRequest& request, std::string& session_id) {
  std::string_view path = request.path();
  if (request.target == "*") return Resource::kAny;
  if (path == "/") return Resource::kRoot;
  if (path == "/whip") return Resource::kWhip;
  if (path.substr(0, kSessionPrefix.size()) == kSessionPrefix) {
    std::string_view id = path.substr(kSessionPrefix.size());
    if (!is_session_id(id)) return Resource::kUnknown;
    session_id = std::string(id);
    return Resource::kSession;
  }
  return Resource::kUnknown;
}

const char* allowed_methods(Resource r) {
  switch (r) {
    case Resource::kAny: return "GET, POST, DELETE, OPTIONS";
    case Resource::kRoot: return "GET, POST, OPTIONS";
    case Resource::kWhip: return "POST, OPTIONS";
    case Resource::kSession: return "DELETE, OPTIONS";
    case Resource::kUnknown: break;
  }
  return "";
}

bool accepts_post(Resource r) { return r == Resource::kAny || r == Resource::kRoot || r == Resource::kWhip; }

// "application/sdp; charset=utf-8" -> compares only the media type.
bool is_sdp(std::optional<std::string_view> content_type) {
  if (!content_type) return false;
  std::string_view type = content_type->substr(0, content_type->find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return iequals(type, "application/sdp");
}

// Every response may be read by a browser page from another origin.
HttpResponse base_response(int status) {
  HttpResponse r;
  r.status = status;
  r.headers.add("Server", "peercall/" PEERCALL_VERSION);
  r.headers.add("Access-Control-Allow-Origin", "*");
  r.headers.add("Access-Control-Expose-Headers", "Location, Accept-Post");
  return r;
}

HttpResponse options_response(Resource r) {
  HttpResponse out = base_response(204);
  out.headers.add("Allow", allowed_methods(r));
  if (accepts_post(r)) out.headers.add("Accept-Post", "application/sdp");
  out.headers.add("Access-Control-Allow-Methods", allowed_methods(r));
  out.headers.add("Access-Control-Allow-Headers", "Content-Type, Authorization, If-Match");
  out.headers.add("Access-Control-Max-Age", "86400");
  return out;
}

HttpResponse method_not_allowed(Resource r) {
  HttpResponse out = SignallingRouter::error_response(405, "method not allowed");
  out.headers.add("Allow", allowed_methods(r));
  return out;
}

}  // namespace

SignallingRouter::SignallingRouter(OfferHandler on_offer, HangupHandler on_hangup)
    : on_offer_(std::move(on_offer)), on_hangup_(std::move(on_hangup)) {}

HttpResponse SignallingRouter::error_response(int status, std::string_view message) {
  HttpResponse r = base_response(status);
  r.headers.add("Content-Type", "text/plain; charset=utf-8");
  r.body = std::string(message) + "\n";
  return r;
}

HttpResponse SignallingRouter::handle(const HttpRequest& request, OfferContext context) const {
  std::string session_id;
  Resource resource = resource_of(request, session_id);
  if (resource == Resource::kUnknown) return error_response(404, "not found");
  const std::string& m = request.method;
  if (m == "OPTIONS") return options_response(resource);
  if (resource == Resource::kAny) return error_response(400, "'*' is only for OPTIONS");
  if (m == "POST" && accepts_post(resource)) return post_offer(request, std::move(context));
  if (m == "DELETE" && resource == Resource::kSession) return delete_session(session_id);
  if (m == "GET" && resource == Resource::kRoot) {
    HttpResponse r = base_response(200);
    r.headers.add("Content-Type", "text/plain; charset=utf-8");
    r.body = "peercall " PEERCALL_VERSION "\n";
    return r;
  }
  return method_not_allowed(resource);
}

HttpResponse SignallingRouter::post_offer(const HttpRequest& request, OfferContext context) const {
  if (!is_sdp(request.headers.get("Content-Type"))) {
    HttpResponse r = error_response(415, "offer must be Content-Type: application/sdp");
    r.headers.add("Accept-Post", "application/sdp");
    return r;
  }
  if (!request.headers.contains("Content-Length")) return error_response(411, "offer needs a Content-Length");
  if (request.body.empty()) return error_response(400, "bad sdp: empty offer");
  context.user_agent = std::string(request.headers.get("User-Agent").value_or(""));

  OfferResult result;
  try {
    if (!on_offer_) return error_response(503, "not accepting calls");
    result = on_offer_(request.body, context);
  } catch (const std::exception& e) {
    return error_response(500, std::string("internal error: ") + e.what());
  }
  if (result.status != 201) {
    bool is_error_status = result.status >= 400 && result.status <= 599;
    std::string text = result.error.empty() ? "offer refused" : result.error;
    return error_response(is_error_status ? result.status : 500, text);
  }
  if (!is_session_id(result.session_id)) return error_response(500, "internal error: bad session id");
  HttpResponse r = base_response(201);
  r.headers.add("Content-Type", "application/sdp");
  r.headers.add("Location", std::string(kSessionPrefix) + result.session_id);
  r.body = std::move(result.answer_sdp);
  return r;
}

HttpResponse SignallingRouter::delete_session(const std::string& id) const {
  bool found = false;
  try {
    found = on_hangup_ && on_hangup_(id);
  } catch (const std::exception& e) {
    return error_response(500, std::string("internal error: ") + e.what());
  }
  if (!found) return error_response(404, "no such session");
  return base_response(200);
}

}  // namespace peercall
