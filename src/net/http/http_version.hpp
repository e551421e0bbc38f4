#pragma once
// "HTTP/1.x" as found at the end of a request line or the start of a status line.
#include <string_view>

namespace peercall {

enum class HttpVersion { kHttp10, kHttp11, kOtherHttp, kNotHttp };

inline HttpVersion parse_http_version(std::string_view s) {
  if (s == "HTTP/1.1") return HttpVersion::kHttp11;
  if (s == "HTTP/1.0") return HttpVersion::kHttp10;
  bool digits = s.size() == 8 && s[5] >= '0' && s[5] <= '9' && s[6] == '.' && s[7] >= '0' && s[7] <= '9';
  return s.substr(0, 5) == "HTTP/" && digits ? HttpVersion::kOtherHttp : HttpVersion::kNotHttp;
}

}  // namespace peercall
