#pragma once
// Closing the listener at the start of a drain without resetting a connection a client has
// already made (see StopAcceptingWithoutReset). Pistache keeps its listening socket private,
// so it is found by its port among this process's descriptors.
#include <cstdint>

namespace oakgate::http {

// Drops new SYNs on the listener for `port`, waits until its accept queue has stayed empty for
// a moment, then closes it; logs (and leaves the listener open until exit) when any step fails.
void StopAcceptingWithoutReset(uint16_t port);

}  // namespace oakgate::http
