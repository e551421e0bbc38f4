#pragma once
// The page a listener serves at https://HOST:PORT/call: a browser guest's
// whole client (self-contained HTML and JS, no CDN), built from
// src/app/web/guest.html at compile time.
#include <string>

namespace peercall {

// `stream`: the page watches (WHEP) instead of calling (WHIP).
std::string guest_page_html(bool stream);

}  // namespace peercall
