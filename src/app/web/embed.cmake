# Writes the file IN as a C++ raw string constant kGuestPageHtml into OUT.
file(READ ${IN} content)
file(WRITE ${OUT} "#pragma once\n// Generated from web/guest.html: do not edit.\n#include <string_view>\nnamespace peercall {\ninline constexpr std::string_view kGuestPageHtml = R\"peercall_html(${content})peercall_html\";\n}\n")
