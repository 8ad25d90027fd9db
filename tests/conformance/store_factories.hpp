#pragma once
// The item-store conformance suite runs every test against each registered store. An adapter joins by adding
// one file to tests/conformance with a static StoreFactoryRegistration; the tests know only the port.
#include <atomic>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "ports/clock.hpp"
#include "ports/item_store.hpp"

namespace kefir::test {

struct StoreFactory {
  std::string name;  // the test-name suffix: letters, digits and '_' only
  // A store whose reads of TTL and conditions use `clock`; it must not outlive the clock.
  std::function<std::unique_ptr<store::ItemStore>(const Clock&)> make;
  bool available = true;
  std::string unavailable_reason;  // why the tests are skipped when not available
};

std::vector<StoreFactory>& store_factories();

// Test failures name the store instead of dumping the factory's bytes.
inline void PrintTo(const StoreFactory& factory, std::ostream* out) {
  *out << factory.name;
}

// `static const StoreFactoryRegistration registration{{...}};` in a factory file adds a store to the suite.
struct StoreFactoryRegistration {
  explicit StoreFactoryRegistration(StoreFactory factory);
};

// A clock the test sets, starting at the real current time (DynamoDB Local sees real time too). Not named
// ManualClock: tests/support/auth_helpers.hpp has one, and two classes of one name would break the ODR.
class SettableClock final : public Clock {
 public:
  SettableClock();
  TimePoint now() const override { return from_epoch_millis(millis_.load()); }
  void set(TimePoint time) { millis_ = epoch_millis(time); }
  void advance(milliseconds duration) { millis_ += duration.count(); }

 private:
  std::atomic<std::int64_t> millis_;
};

}  // namespace kefir::test
