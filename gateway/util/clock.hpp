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
};

class SystemClock : public Clock {
 public:
  int64_t NowSeconds() const override;
  static const SystemClock& Instance();
};

}  // namespace oakgate::util
