#pragma once
// Environment failures (database down, pool timeout) travel as exceptions and become 503 at
// the edge of http/. A bad request is never an exception: it is a value (see result.hpp).
#include <stdexcept>
#include <string>

namespace oakgate::util {

// The gateway cannot answer right now through no fault of the client; the message is for
// logs only and never reaches a client.
class ServiceUnavailable : public std::runtime_error {
 public:
  explicit ServiceUnavailable(const std::string& detail) : std::runtime_error(detail) {}
};

// The outcome of a commit is unknown (connection lost during COMMIT).
class CommitInDoubt : public ServiceUnavailable {
 public:
  explicit CommitInDoubt(const std::string& detail) : ServiceUnavailable(detail) {}
};

}  // namespace oakgate::util
