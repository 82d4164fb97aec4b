#pragma once
// An object a service has found to be the principal's. Only the services can make one (the
// constructor takes a key only they hold), so a handler can act on an agent's tools and
// rules only through an agent it got from AgentService::Get for the same principal: the
// ownership check is made once, in the service, and cannot be skipped.
//
// Handlers get the owned agent before they read the request body, so another user's agent
// id answers "not found" whatever the body holds (CONTRACT §6).
#include <string>
#include <utility>

namespace oakgate::manage {

class AgentService;

class OwnershipChecked {
  OwnershipChecked() = default;
  friend class AgentService;
};

template <typename T>
class Owned {
 public:
  Owned(OwnershipChecked, T value, std::string owner)
      : value_(std::move(value)), owner_(std::move(owner)) {}
  const T& operator*() const { return value_; }
  const T* operator->() const { return &value_; }
  // The user it was found for; services refuse it for anyone else.
  const std::string& owner() const { return owner_; }

 private:
  T value_;
  std::string owner_;
};

}  // namespace oakgate::manage
