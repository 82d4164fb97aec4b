#include "gateway/http/connection.hpp"

#include <pistache/peer.h>
#include <pistache/stream.h>
#include <sys/socket.h>

#include <array>

namespace oakgate::http {
namespace {

using S = ConnState;
constexpr uint16_t Bit(S s) { return static_cast<uint16_t>(1u << static_cast<int>(s)); }
template <typename... States>
constexpr uint16_t Set(States... s) {
  return static_cast<uint16_t>((Bit(s) | ... | 0));
}

// kAllowed[from]: the states `from` may move to. Every open state may close (an error, a
// drain, a timeout) and may be dropped by the transport; kGone is the end.
constexpr std::array<uint16_t, kConnStateCount> kAllowed = {
    // kAwaitingFirst: its first bytes arrive.
    Set(S::kReadingHead, S::kClosing, S::kGone),
    // kIdle: the next request's first bytes arrive.
    Set(S::kReadingHead, S::kClosing, S::kGone),
    // kReadingHead: the head completes without the body; or a request parsed whole is
    // handed off, or answered at once (then idle, or reading what was pipelined after it);
    // or too many answers wait to be written.
    Set(S::kReadingBody, S::kHandling, S::kIdle, S::kStalled, S::kClosing, S::kGone),
    // kReadingBody: as kReadingHead, once the body is complete.
    Set(S::kReadingHead, S::kHandling, S::kIdle, S::kStalled, S::kClosing, S::kGone),
    // kHandling: answered; idle, or reading what arrived meanwhile.
    Set(S::kIdle, S::kReadingHead, S::kClosing, S::kGone),
    // kStalled: a write drained (or more bytes came): parsing resumes from the buffer's start.
    Set(S::kReadingHead, S::kClosing, S::kGone),
    // kClosing: only the transport's drop remains.
    Set(S::kGone),
    // kGone: nothing.
    Set(),
};

}  // namespace

std::string_view ToString(ConnState state) {
  switch (state) {
    case S::kAwaitingFirst:
      return "awaiting_first";
    case S::kIdle:
      return "idle";
    case S::kReadingHead:
      return "reading_head";
    case S::kReadingBody:
      return "reading_body";
    case S::kHandling:
      return "handling";
    case S::kStalled:
      return "stalled";
    case S::kClosing:
      return "closing";
    case S::kGone:
      return "gone";
  }
  return "unknown";
}

bool CanTransition(ConnState from, ConnState to) {
  return (kAllowed[static_cast<size_t>(from)] & Bit(to)) != 0;
}

bool Connection::MoveTo(ConnState to) {
  ConnState from = state_.load(std::memory_order_relaxed);
  if (from == to) return true;
  if (!CanTransition(from, to)) return false;
  state_.store(to, std::memory_order_release);
  return true;
}

void Connection::Send(std::string bytes, bool close_after, std::function<void()> written) {
  auto p = peer.lock();
  if (!p || state() == ConnState::kGone) return;
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
  if (state() != ConnState::kGone && fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

}  // namespace oakgate::http
