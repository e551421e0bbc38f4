// libnice's STUN code on one datagram, as its ICE agent runs it on every
// packet reaching a socket it owns: the framing check
// (stun_message_validate_buffer_length), then stun_agent_validate with
// short-term credentials (RFC 8445 7.2.2: USERNAME "ours:theirs", the password
// from our SDP) and FINGERPRINT, then the attribute readers the agent uses.
// Covers "a STUN message with a bad integrity or an absurd length".
#include <stun/stunagent.h>
#include <stun/stunmessage.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <utility>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

constexpr char kUsername[] = "LiSt:cAll";  // local ufrag : remote ufrag
constexpr char kPassword[] = "listener+Password/24chr";

// Called for a USERNAME it must check; gives the password to verify
// MESSAGE-INTEGRITY with. Any other name is refused (-> UNAUTHORIZED).
bool validate_short_term(StunAgent*, StunMessage*, uint8_t* username, uint16_t username_len,
                         uint8_t** password, size_t* password_len, void*) {
  if (username_len != sizeof(kUsername) - 1 || std::memcmp(username, kUsername, username_len) != 0) return false;
  *password = reinterpret_cast<uint8_t*>(const_cast<char*>(kPassword));
  *password_len = sizeof(kPassword) - 1;
  return true;
}

// What libnice's ICE agent knows (agent.c / conncheck.c use this set).
const uint16_t kKnownAttributes[] = {
    STUN_ATTRIBUTE_USERNAME,        STUN_ATTRIBUTE_MESSAGE_INTEGRITY, STUN_ATTRIBUTE_ERROR_CODE,
    STUN_ATTRIBUTE_UNKNOWN_ATTRIBUTES, STUN_ATTRIBUTE_REALM,          STUN_ATTRIBUTE_NONCE,
    STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, STUN_ATTRIBUTE_MAPPED_ADDRESS, STUN_ATTRIBUTE_PRIORITY,
    STUN_ATTRIBUTE_USE_CANDIDATE,   STUN_ATTRIBUTE_ICE_CONTROLLED,   STUN_ATTRIBUTE_ICE_CONTROLLING,
    STUN_ATTRIBUTE_FINGERPRINT,     STUN_ATTRIBUTE_SOFTWARE,         0};

// libnice itself is not instrumented, so the harness turns each outcome it
// sees into a call to one of 64 distinct functions: each has its own coverage
// point, so the fuzzer keeps inputs that reach new outcomes.
volatile int g_outcomes[64];
template <unsigned N>
__attribute__((noinline)) void outcome() {
  g_outcomes[N] = g_outcomes[N] + 1;
}
template <unsigned... N>
constexpr auto outcome_table(std::integer_sequence<unsigned, N...>) {
  return std::array<void (*)(), sizeof...(N)>{&outcome<N>...};
}
constexpr auto kOutcomes = outcome_table(std::make_integer_sequence<unsigned, 64>{});
void note(unsigned slot, int result) { kOutcomes[(slot * 8 + unsigned(result) % 8) % 64](); }

void read_attributes(const StunMessage& msg) {
  StunTransactionId id;
  stun_message_id(&msg, id);
  note(6, stun_message_get_class(&msg));
  (void)stun_message_get_method(&msg);
  (void)stun_message_has_cookie(&msg);
  (void)stun_message_length(&msg);
  uint16_t len = 0;
  note(0, stun_message_find(&msg, STUN_ATTRIBUTE_USERNAME, &len) != nullptr);
  note(1, stun_message_find_flag(&msg, STUN_ATTRIBUTE_USE_CANDIDATE));
  uint32_t priority = 0;
  note(2, stun_message_find32(&msg, STUN_ATTRIBUTE_PRIORITY, &priority));
  uint64_t tie = 0;
  note(3, stun_message_find64(&msg, STUN_ATTRIBUTE_ICE_CONTROLLING, &tie));
  (void)stun_message_find64(&msg, STUN_ATTRIBUTE_ICE_CONTROLLED, &tie);
  char text[256];
  (void)stun_message_find_string(&msg, STUN_ATTRIBUTE_SOFTWARE, text, sizeof text);
  (void)stun_message_find_string(&msg, STUN_ATTRIBUTE_REALM, text, sizeof text);
  int code = 0;
  note(4, stun_message_find_error(&msg, &code));
  sockaddr_storage addr;
  socklen_t addrlen = sizeof addr;
  note(5, stun_message_find_xor_addr(&msg, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, &addr, &addrlen));
  addrlen = sizeof addr;
  (void)stun_message_find_addr(&msg, STUN_ATTRIBUTE_MAPPED_ADDRESS, &addr, &addrlen);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The agent reads from its own receive buffer: copy so ASan sees the exact bounds.
  const std::vector<uint8_t> buffer(data, data + size);
  const int length = stun_message_validate_buffer_length(buffer.data(), buffer.size(), true);
  note(7, length > 0 ? 2 : length + 1);
  if (length > 0 && size_t(length) > size) abort();  // claims more than it was given

  // RFC 5389 is what libnice's agent speaks for NICE_COMPATIBILITY_RFC5245;
  // RFC 3489 (no cookie) is the other framing its STUN code still accepts.
  for (StunCompatibility compat : {STUN_COMPATIBILITY_RFC5389, STUN_COMPATIBILITY_RFC3489}) {
    StunAgent agent;
    const unsigned usage = STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS |
                           (compat == STUN_COMPATIBILITY_RFC5389 ? STUN_AGENT_USAGE_USE_FINGERPRINT : 0);
    stun_agent_init(&agent, kKnownAttributes, compat, StunAgentUsageFlags(usage));
    StunMessage msg;
    const StunValidationStatus status =
        stun_agent_validate(&agent, &msg, buffer.data(), buffer.size(), validate_short_term, nullptr);
    note(compat == STUN_COMPATIBILITY_RFC5389 ? 1 : 0, int(status) + 100);
    if (status == STUN_VALIDATION_NOT_STUN || status == STUN_VALIDATION_INCOMPLETE_STUN) continue;
    read_attributes(msg);
    // An error response to what came in, as the agent builds for a bad request.
    if (status == STUN_VALIDATION_UNKNOWN_REQUEST_ATTRIBUTE) {
      uint8_t reply[1024];
      StunMessage response;
      (void)stun_agent_build_unknown_attributes_error(&agent, &response, reply, sizeof reply, &msg);
    }
  }
  return 0;
}
