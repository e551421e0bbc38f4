#include "app/guest_page.hpp"

#include "app/guest_page_html.hpp"  // generated: kGuestPageHtml
#include "identity/short_auth_string.hpp"

namespace peercall {
namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

}  // namespace

std::string guest_page_html(bool stream) {
  std::string page(kGuestPageHtml);
  // The page computes the same check number as the C++ side, from the same code.
  replace_all(page, "/*PEERCALL_SAS_JS*/", kShortAuthStringJs);
  replace_all(page, "%PEERCALL_MODE%", stream ? "watch" : "call");
  return page;
}

}  // namespace peercall
