#pragma once
// Error::reason must outlive the Result, but device failures carry runtime
// detail (a path, an OS or SDL message). lasting_text() keeps one copy of each
// distinct text for the life of the process; it is only used when opening a
// device fails, so the set stays tiny.
#include <string>

namespace peercall {

const char* lasting_text(std::string text);

}  // namespace peercall
