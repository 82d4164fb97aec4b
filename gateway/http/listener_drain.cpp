#include "gateway/http/listener_drain.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "gateway/observe/log.hpp"

namespace oakgate::http {
namespace {

// How long the accept queue must stay empty, once new SYNs are dropped, before the listener is
// closed (handshakes under way finish in microseconds on loopback), and how long to wait at
// most for the transport to accept what is queued.
constexpr auto kListenerQuiet = std::chrono::milliseconds(30);
constexpr auto kListenerQuietBound = std::chrono::milliseconds(2000);

// The listening socket the transport owns for `port` (Pistache keeps it private): the
// descriptor of this process that accepts connections on that port, or -1.
int FindListener(uint16_t port) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return -1;
  int found = -1;
  while (dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == ::dirfd(dir)) continue;
    int accepting = 0;
    socklen_t len = sizeof(accepting);
    if (::getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) != 0 ||
        !accepting) {
      continue;
    }
    sockaddr_storage addr{};
    socklen_t addr_len = sizeof(addr);
    if (::getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0) {
      continue;
    }
    uint16_t bound = 0;
    if (addr.ss_family == AF_INET) bound = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6)
      bound = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    if (bound == port) {
      found = static_cast<int>(fd);
      break;
    }
  }
  ::closedir(dir);
  return found;
}

// Connections completed by the kernel and waiting in the listener's accept queue.
long AcceptQueueLength(int listen_fd) {
  tcp_info info{};
  socklen_t len = sizeof(info);
  if (::getsockopt(listen_fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return -1;
  return static_cast<long>(info.tcpi_unacked);  // for a listener: the accept queue's length
}

}  // namespace

// Closes the listener without resetting a connection a client has already made. Closing a
// listening socket on Linux resets every connection still in its accept queue (the client
// sees its connect succeed, sends its request, then gets a reset: Nginx does not retry a
// POST after that), and a SYN can arrive at any moment before the close. So first a socket
// filter drops new SYNs (only SYNs: handshakes already under way complete, and connections
// already accepted inherit a filter that passes everything else), the transport accepts
// what is queued, and once the queue has stayed empty for kListenerQuiet the socket is
// closed. A dropped SYN is retransmitted after a second and then refused, or Nginx's connect
// timeout fires first: either way Nginx tries the other colour with nothing sent. From the
// close on, connects are refused at once.
void StopAcceptingWithoutReset(uint16_t port) {
  int fd = FindListener(port);
  if (fd < 0) {
    observe::Warn("draining: listening socket not found; it closes at exit");
    return;
  }
  // Classic BPF over the TCP header: flags byte & (SYN|ACK) == SYN: drop; else keep.
  sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 13),           // the TCP flags byte
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x12),        // SYN and ACK
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x02, 0, 1),  // SYN alone: a new connection
      BPF_STMT(BPF_RET | BPF_K, 0),                     // dropped
      BPF_STMT(BPF_RET | BPF_K, 0xffffffff),            // anything else: kept whole
  };
  sock_fprog program{static_cast<unsigned short>(sizeof(code) / sizeof(code[0])), code};
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program)) != 0) {
    observe::Warn("draining: cannot filter new connections; the listener stays open until exit");
    return;
  }
  auto started = std::chrono::steady_clock::now();
  auto empty_since = started;
  while (true) {
    auto now = std::chrono::steady_clock::now();
    long queued = AcceptQueueLength(fd);
    if (queued != 0) empty_since = now;
    if (now - empty_since >= kListenerQuiet) break;
    if (now - started > kListenerQuietBound) {
      observe::Warn("draining: the accept queue did not empty; the listener stays open until exit",
                    {{"queued", std::to_string(queued)}});
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  // The transport owns the descriptor and closes it at shutdown, and its accept thread
  // polls it: dup3 swaps a socket that never listens in its place (accept on it fails with
  // EINVAL, which the transport logs and survives), and closes the listener atomically.
  int placeholder = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (placeholder < 0 || ::dup3(placeholder, fd, O_CLOEXEC) < 0) {
    if (placeholder >= 0) ::close(placeholder);
    observe::Warn("draining: cannot close the listener; it stays open (filtered) until exit");
    return;
  }
  ::close(placeholder);
  observe::Info("listener closed",
                {{"after_ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::steady_clock::now() - started)
                                                 .count())}});
}

}  // namespace oakgate::http
