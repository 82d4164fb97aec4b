// Moves the wall clock of the process it is preloaded into (LD_PRELOAD) by
// OAKGATE_TEST_CLOCK_OFFSET seconds, so an e2e test can put the real gateway binary at a
// chosen instant (the end of a month) while PostgreSQL keeps its own time. Only the wall
// clock moves (CLOCK_REALTIME, gettimeofday, time); the monotonic clock, which the gateway
// measures intervals with, is left alone. The binary under test is the production one: this
// library is built for the tests only.
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

namespace {

using ClockGettime = int (*)(clockid_t, struct timespec*);
using Gettimeofday = int (*)(struct timeval*, void*);

long long Offset() {
  static const long long offset = [] {
    const char* v = getenv("OAKGATE_TEST_CLOCK_OFFSET");
    return v ? atoll(v) : 0LL;
  }();
  return offset;
}

}  // namespace

extern "C" {

int clock_gettime(clockid_t id, struct timespec* ts) noexcept {
  static ClockGettime real = reinterpret_cast<ClockGettime>(dlsym(RTLD_NEXT, "clock_gettime"));
  int rc = real(id, ts);
  if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) {
    ts->tv_sec += Offset();
  }
  return rc;
}

int gettimeofday(struct timeval* tv, void* tz) noexcept {
  static Gettimeofday real = reinterpret_cast<Gettimeofday>(dlsym(RTLD_NEXT, "gettimeofday"));
  int rc = real(tv, tz);
  if (rc == 0) tv->tv_sec += Offset();
  return rc;
}

time_t time(time_t* out) noexcept {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (out) *out = ts.tv_sec;
  return ts.tv_sec;
}

}  // extern "C"
