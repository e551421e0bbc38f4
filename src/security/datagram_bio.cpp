#include "security/datagram_bio.hpp"

#include <cstring>
#include <mutex>

namespace peercall {
namespace {

DatagramQueues* queues_of(BIO* bio) { return static_cast<DatagramQueues*>(BIO_get_data(bio)); }

int datagram_write(BIO* bio, const char* data, int length) {
  BIO_clear_retry_flags(bio);
  if (length < 0) return -1;
  auto* q = queues_of(bio);
  q->out.emplace_back(reinterpret_cast<const uint8_t*>(data),
                      reinterpret_cast<const uint8_t*>(data) + length);
  return length;
}

int datagram_read(BIO* bio, char* buffer, int capacity) {
  BIO_clear_retry_flags(bio);
  auto* q = queues_of(bio);
  if (q->in.empty()) {
    BIO_set_retry_read(bio);  // non-blocking: "nothing yet"
    return -1;
  }
  Bytes datagram = std::move(q->in.front());
  q->in.pop_front();
  // OpenSSL reads into a buffer of a full record; a larger datagram is cut,
  // like a socket would, and the record layer drops what no longer parses.
  size_t n = std::min(datagram.size(), size_t(capacity < 0 ? 0 : capacity));
  std::memcpy(buffer, datagram.data(), n);
  return int(n);
}

long datagram_ctrl(BIO* bio, int cmd, long, void* ptr) {
  auto* q = queues_of(bio);
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_PENDING:
      return q->in.empty() ? 0 : long(q->in.front().size());
    case BIO_CTRL_WPENDING:
      return 0;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return long(q->mtu);
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
      return 0;  // the MTU we are given is already the datagram payload size
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT: {
      auto* deadline = static_cast<timeval*>(ptr);
      q->openssl_deadline = deadline;
      if (deadline && deadline->tv_sec == 0 && deadline->tv_usec == 0) q->openssl_timer_stopped = true;
      return 1;
    }
    default:
      return 0;
  }
}

int datagram_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD* datagram_method() {
  static BIO_METHOD* method = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "peercall datagram queue");
    if (!method) return;
    BIO_meth_set_write(method, datagram_write);
    BIO_meth_set_read(method, datagram_read);
    BIO_meth_set_ctrl(method, datagram_ctrl);
    BIO_meth_set_create(method, datagram_create);
  });
  return method;  // lives for the process, like OpenSSL's own methods
}

}  // namespace

BIO* new_datagram_bio(DatagramQueues* queues) {
  BIO_METHOD* method = datagram_method();
  if (!method) return nullptr;
  BIO* bio = BIO_new(method);
  if (bio) BIO_set_data(bio, queues);
  return bio;
}

}  // namespace peercall
