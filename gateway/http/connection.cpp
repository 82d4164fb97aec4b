#include "gateway/http/connection.hpp"

#include <pistache/peer.h>
#include <pistache/stream.h>
#include <sys/socket.h>

namespace oakgate::http {

void Connection::Send(std::string bytes, bool close_after) {
  auto p = peer.lock();
  if (!p || gone) return;
  size_t size = bytes.size();
  int socket_fd = fd;
  auto promise = p->send(Pistache::RawBuffer(std::move(bytes), size));
  if (close_after) {
    // The continuation runs on the peer's reactor thread once the write completed, while the
    // transport still owns the descriptor.
    promise.then([socket_fd](ssize_t) { ::shutdown(socket_fd, SHUT_WR); },
                 [](std::exception_ptr) {});
  } else {
    promise.then([](ssize_t) {}, [](std::exception_ptr) {});
  }
}

void Connection::Abort() {
  if (!gone && fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

}  // namespace oakgate::http
