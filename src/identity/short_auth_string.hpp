#pragma once
// The short authentication string (SAS): six digits both sides show during a
// call, to compare aloud ("417 093?" "417 093."). Equal digits mean each side
// sees the certificate the other really has, so nobody sits in the middle.
//
// Definition (a browser page computes the same in JavaScript, kept this simple
// on purpose):
//   A, B = the two fingerprints normalised to "sha-256 AB:CD:...": leading
//          whitespace dropped; the first word (the algorithm) lowercased; the
//          rest after the whitespace that follows it uppercased, trailing
//          whitespace dropped; the two joined by one space. A single word
//          (nothing after it) is only uppercased, without the whitespace;
//   lo, hi = min(A, B), max(A, B), by byte-wise comparison;
//   h = SHA-256 of the UTF-8 bytes "peercall-sas\n" + lo + "\n" + hi;
//   n = (h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3]) mod 1000000, unsigned 32-bit;
//   SAS = n as six decimal digits, zero-padded, as "ddd ddd".
// Symmetric: short_auth_string(a, b) == short_auth_string(b, a).
// (Six digits give a one-in-a-million chance to an attacker who gets one try;
// the handshake gives them no second try without the users noticing.)
#include <string>
#include <string_view>

namespace peercall {

std::string short_auth_string(std::string_view fingerprint_a, std::string_view fingerprint_b);

// The same function for the browser page, to embed in a <script>:
// `await shortAuthString(fpA, fpB)` returns "ddd ddd". Needs crypto.subtle
// (a secure context: https or localhost). Whitespace is ASCII in both versions
// (\s in JavaScript also matches other spaces, which fingerprints never have).
inline constexpr std::string_view kShortAuthStringJs = R"js(
async function shortAuthString(fpA, fpB) {
  const norm = (fp) => {
    const s = String(fp);
    const m = /^[ \t\n\r\f\v]*([^ \t\n\r\f\v]+)[ \t\n\r\f\v]+([^]*?)[ \t\n\r\f\v]*$/.exec(s);
    if (m) return m[1].toLowerCase() + ' ' + m[2].toUpperCase();
    return s.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, '').toUpperCase();
  };
  const a = norm(fpA), b = norm(fpB);
  const lo = a < b ? a : b, hi = a < b ? b : a;
  const data = new TextEncoder().encode('peercall-sas\n' + lo + '\n' + hi);
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  const n = (((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0) % 1000000;
  const s = String(n).padStart(6, '0');
  return s.slice(0, 3) + ' ' + s.slice(3);
}
)js";

}  // namespace peercall
