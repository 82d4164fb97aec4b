#pragma once
// Result<T>: a value or a typed error. Services return these; handlers render them.
#include <string>
#include <utility>
#include <variant>

namespace oakgate::util {

template <typename E>
struct Failure {
  E error;
};

template <typename T, typename E>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}   // NOLINT: implicit on purpose
  Result(Failure<E> f) : v_(std::move(f)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  const E& error() const { return std::get<1>(v_).error; }

 private:
  std::variant<T, Failure<E>> v_;
};

template <typename E>
Failure<E> Fail(E e) {
  return Failure<E>{std::move(e)};
}

}  // namespace oakgate::util
