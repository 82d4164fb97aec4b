#include "gateway/http/connection.hpp"

#include <pistache/peer.h>
#include <pistache/stream.h>
#include <sys/socket.h>

namespace oakgate::http {

void Connection::Send(std::string bytes, bool close_after, std::function<void()> written) {
  auto p = peer.lock();
  if (!p || gone) return;
  size_t size = bytes.size();
  int socket_fd = fd;
  auto pending = writes_pending;
  pending->fetch_add(1);
  auto promise = p->send(Pistache::RawBuffer(std::move(bytes), size));
  if (close_after) {
    // The continuation runs on the peer's reactor thread once the write completed, while the
    // transport still owns the descriptor.
    promise.then(
        [socket_fd, pending](ssize_t) {
          ::shutdown(socket_fd, SHUT_WR);
          pending->fetch_sub(1);
        },
        [pending](std::exception_ptr) { pending->fetch_sub(1); });
  } else {
    promise.then(
        [pending, written = std::move(written)](ssize_t) {
          pending->fetch_sub(1);
          if (written) written();
        },
        [pending](std::exception_ptr) { pending->fetch_sub(1); });
  }
}

void Connection::Abort() {
  if (!gone && fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

}  // namespace oakgate::http
