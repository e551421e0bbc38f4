#pragma once
// The codecs peercall puts in SDP, and which offered payload type it answers
// with. Only what is implemented is advertised: Opus without in-band FEC (not
// decoded yet), H.264 with generic NACK and PLI feedback and its RTX (RFC
// 4588) stream (no FIR, RED, ULPFEC, header extensions).
#include <cstdint>
#include <optional>
#include <string_view>

#include "sdp/session_description.hpp"

namespace peercall {

inline constexpr uint8_t kOpusPayloadType = 111;
inline constexpr uint8_t kH264PayloadType = 96;
inline constexpr uint8_t kH264RtxPayloadType = 97;

// 111 opus/48000/2, "minptime=10".
Codec our_opus_codec();
// 96 H264/90000, constrained baseline 3.1, FU-A, "nack" and "nack pli".
Codec our_h264_codec();
// 97 rtx/90000, "apt=96".
Codec our_h264_rtx_codec();

// An RTX entry's associated payload type (a=fmtp:<pt> apt=<apt>), if it is one.
std::optional<uint8_t> rtx_associated_payload_type(const Codec& c);
// The m-line's RTX entry repairing payload type `apt`, or null.
const Codec* find_rtx_codec(const MediaDescription& m, uint8_t apt);
// Whether the codec's feedback includes generic NACK (a=rtcp-fb:<pt> nack).
bool has_generic_nack(const Codec& c);

// Whether we can both decode and send `c` on an m-line of `kind`: Opus at 48 kHz
// (any channel count: we decode mono), H.264 with packetization-mode=1 (any
// profile: FFmpeg decodes them all; we send constrained baseline).
bool codec_supported(std::string_view kind, const Codec& c);

// The offered codec we answer with, or null: Opus; for H.264 the constrained
// baseline one first (42e0xx, 42c0xx, ...), then baseline (4200xx), then any,
// each in the offer's order.
const Codec* choose_offered_codec(const MediaDescription& offered);

// The answer's entry for the chosen offered codec: the offerer's payload type;
// our Opus fmtp (it states the receiver's wishes); H.264's fmtp echoed (with its
// profile-level-id); the feedback limited to what both sides do.
Codec answer_codec(std::string_view kind, const Codec& offered);

// The first codec of an answer's m-line we support, or null.
const Codec* first_supported_codec(const MediaDescription& m);

// H.264 profile-level-id classes (RFC 6184 5.8 / table 5), preference order.
enum class H264ProfileClass { kConstrainedBaseline, kBaseline, kOther };
// From an fmtp line; no profile-level-id means 42000a (baseline), per RFC 6184.
H264ProfileClass h264_profile_class(std::string_view fmtp);

}  // namespace peercall
