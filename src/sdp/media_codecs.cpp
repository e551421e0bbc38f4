#include "sdp/media_codecs.hpp"

#include <charconv>
#include <string>

#include "sdp/sdp_tokens.hpp"

namespace peercall {
namespace {

using sdp_tokens::fmtp_parameter;
using sdp_tokens::iequals;

constexpr const char* kOpusFmtp = "minptime=10";
constexpr const char* kH264Fmtp = "profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1";
constexpr std::string_view kVideoFeedback[] = {"nack", "nack pli"};

bool is_feedback_we_do(std::string_view kind, std::string_view fb) {
  if (kind != "video") return false;
  for (std::string_view ours : kVideoFeedback) {
    if (iequals(ours, fb)) return true;
  }
  return false;
}

std::optional<uint8_t> hex_byte(std::string_view two) {
  uint8_t v = 0;
  auto [end, ec] = std::from_chars(two.data(), two.data() + two.size(), v, 16);
  if (two.size() != 2 || ec != std::errc() || end != two.data() + 2) return std::nullopt;
  return v;
}

}  // namespace

Codec our_opus_codec() { return {kOpusPayloadType, "opus", 48000, 2, kOpusFmtp, {}}; }

Codec our_h264_codec() {
  return {kH264PayloadType, "H264", 90000, 1, kH264Fmtp, {std::begin(kVideoFeedback), std::end(kVideoFeedback)}};
}

Codec our_h264_rtx_codec() {
  return {kH264RtxPayloadType, "rtx", 90000, 1, "apt=" + std::to_string(kH264PayloadType), {}};
}

std::optional<uint8_t> rtx_associated_payload_type(const Codec& c) {
  if (!iequals(c.name, "rtx")) return std::nullopt;
  const auto apt = fmtp_parameter(c.fmtp, "apt");
  if (!apt) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(apt->data(), apt->data() + apt->size(), value);
  if (ec != std::errc() || end != apt->data() + apt->size() || value > 127) return std::nullopt;
  return static_cast<uint8_t>(value);
}

const Codec* find_rtx_codec(const MediaDescription& m, uint8_t apt) {
  for (const Codec& c : m.codecs)
    if (rtx_associated_payload_type(c) == apt) return &c;
  return nullptr;
}

bool has_generic_nack(const Codec& c) {
  for (const std::string& fb : c.rtcp_feedback)
    if (iequals(fb, "nack")) return true;
  return false;
}

bool codec_supported(std::string_view kind, const Codec& c) {
  if (kind == "audio") return iequals(c.name, "opus") && c.clock_rate == 48000;
  if (kind == "video")
    return iequals(c.name, "H264") && c.clock_rate == 90000 && fmtp_parameter(c.fmtp, "packetization-mode") == "1";
  return false;
}

H264ProfileClass h264_profile_class(std::string_view fmtp) {
  std::string_view id = fmtp_parameter(fmtp, "profile-level-id").value_or("42000a");
  if (id.size() != 6) return H264ProfileClass::kOther;
  auto idc = hex_byte(id.substr(0, 2));
  auto iop = hex_byte(id.substr(2, 2));
  if (!idc || !iop) return H264ProfileClass::kOther;
  // Constrained baseline: Baseline with constraint_set1, Main with constraint_set0,
  // or Extended with both (RFC 6184 table 5).
  if ((*idc == 0x42 && (*iop & 0x40)) || (*idc == 0x4d && (*iop & 0x80)) ||
      (*idc == 0x58 && (*iop & 0xc0) == 0xc0))
    return H264ProfileClass::kConstrainedBaseline;
  if (*idc == 0x42 || (*idc == 0x58 && (*iop & 0xc0) == 0x80)) return H264ProfileClass::kBaseline;
  return H264ProfileClass::kOther;
}

const Codec* choose_offered_codec(const MediaDescription& offered) {
  const Codec* best = nullptr;
  auto rank = [](const Codec& c) { return static_cast<int>(h264_profile_class(c.fmtp)); };
  for (const Codec& c : offered.codecs) {
    if (!codec_supported(offered.kind, c)) continue;
    if (offered.kind != "video") return &c;  // audio: the offerer's first Opus
    if (!best || rank(c) < rank(*best)) best = &c;
  }
  return best;
}

Codec answer_codec(std::string_view kind, const Codec& offered) {
  Codec codec = offered;
  if (kind == "audio") codec.fmtp = kOpusFmtp;
  std::erase_if(codec.rtcp_feedback, [&](const std::string& fb) { return !is_feedback_we_do(kind, fb); });
  return codec;
}

const Codec* first_supported_codec(const MediaDescription& m) {
  for (const Codec& c : m.codecs) {
    if (codec_supported(m.kind, c)) return &c;
  }
  return nullptr;
}

}  // namespace peercall
