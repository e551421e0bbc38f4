#pragma once
// What the delay signal says of the path right now (draft-ietf-rmcat-gcc-02,
// section 5.4): queues growing (overusing), draining (underusing) or neither.
#include <string_view>

namespace peercall {

enum class BandwidthUsage { kNormal, kOverusing, kUnderusing };

inline std::string_view to_string(BandwidthUsage u) {
  switch (u) {
    case BandwidthUsage::kNormal: return "normal";
    case BandwidthUsage::kOverusing: return "overusing";
    case BandwidthUsage::kUnderusing: return "underusing";
  }
  return "?";
}

}  // namespace peercall
