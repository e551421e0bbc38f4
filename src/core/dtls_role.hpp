#pragma once
// Which side of the DTLS handshake we are, as SDP's a=setup decides it
// (active -> client, passive -> server). Shared by the SDP and DTLS layers.
namespace peercall {

enum class DtlsRole { kClient, kServer };  // the client sends the ClientHello

}  // namespace peercall
