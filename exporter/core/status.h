// Status and StatusOr<T>: errors as values for the imperative shell.
// A Status is either OK or carries a message; StatusOr<T> holds a T or an
// error Status. Both are plain values, safe to copy between threads.
#ifndef VMBALANCE_EXPORTER_CORE_STATUS_H_
#define VMBALANCE_EXPORTER_CORE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace vmbalance {

class Status {
 public:
  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status Error(std::string message) {
    Status s;
    s.ok_ = false;
    s.message_ = std::move(message);
    return s;
  }

  bool ok() const { return ok_; }
  const std::string& message() const { return message_; }
  std::string ToString() const { return ok_ ? "OK" : message_; }

 private:
  bool ok_ = true;
  std::string message_;
};

template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_CORE_STATUS_H_
