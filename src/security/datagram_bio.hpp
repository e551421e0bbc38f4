#pragma once
// A BIO that hands OpenSSL whole datagrams from a queue and collects whole
// datagrams it writes, so DTLS runs without a socket. (BIO_s_mem would merge
// datagrams; OpenSSL 3.0 has no datagram memory BIO.)
//
// It also keeps the pointer OpenSSL passes with BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
// in OpenSSL 3.0/3.1 that is the address of the connection's own retransmission
// deadline (ssl/d1_lib.c dtls1_start_timer), the one handle we have to tell
// OpenSSL "your timer has expired" when OUR virtual clock says so.
#include <openssl/bio.h>
#include <sys/time.h>

#include <deque>

#include "core/bytes.hpp"

namespace peercall {

struct DatagramQueues {
  std::deque<Bytes> in;   // from the peer, read by OpenSSL
  std::deque<Bytes> out;  // written by OpenSSL, for the peer
  size_t mtu = 1200;
  timeval* openssl_deadline = nullptr;  // see above; null until OpenSSL starts a timer
  bool openssl_timer_stopped = false;   // set when OpenSSL clears its timer (a flight arrived)
};

// A new BIO over `queues` (which must outlive it); nullptr on failure.
BIO* new_datagram_bio(DatagramQueues* queues);

}  // namespace peercall
