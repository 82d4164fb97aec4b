#pragma once
// Time is injected so expiry and throttling windows are tested without sleeping.
#include <chrono>
#include <cstdint>

namespace oakgate::util {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch.
  virtual int64_t NowSeconds() const = 0;
  // Milliseconds since the Unix epoch (decision ids carry them). A clock that only knows
  // seconds answers whole seconds.
  virtual int64_t NowMillis() const { return NowSeconds() * 1000; }
  // Milliseconds of a clock that never goes backwards, from an arbitrary start: local
  // intervals (the leases of the rate-limit buckets), which a wall-clock step must not
  // stretch or shrink.
  virtual int64_t MonotonicMillis() const { return NowMillis(); }
};

class SystemClock : public Clock {
 public:
  int64_t NowSeconds() const override;
  int64_t NowMillis() const override;
  int64_t MonotonicMillis() const override;
  static const SystemClock& Instance();
};

}  // namespace oakgate::util
