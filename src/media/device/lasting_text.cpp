#include "media/device/lasting_text.hpp"

#include <mutex>
#include <set>

namespace peercall {

const char* lasting_text(std::string text) {
  static std::mutex mu;
  static std::set<std::string> texts;  // node-based: c_str() stays valid
  std::lock_guard lock(mu);
  return texts.insert(std::move(text)).first->c_str();
}

}  // namespace peercall
