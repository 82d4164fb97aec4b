#pragma once
// Waits for a condition that something else makes true: a change by the CLI (another
// process) reaching this instance's cache through LISTEN within its second, a periodic task
// deleting rows. True as soon as `holds()` does, false when it has not within `within`. It
// returns at the first success, so a passing test pays only the real delay.
#include <chrono>
#include <thread>

namespace oakgate::test {

template <typename Predicate>
bool Eventually(Predicate&& holds, std::chrono::milliseconds within = std::chrono::seconds(5),
                std::chrono::milliseconds every = std::chrono::milliseconds(10)) {
  auto until = std::chrono::steady_clock::now() + within;
  while (true) {
    if (holds()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(every);
  }
}

}  // namespace oakgate::test
