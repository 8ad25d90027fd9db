#include "conformance/store_factories.hpp"

namespace kefir::test {

std::vector<StoreFactory>& store_factories() {
  static std::vector<StoreFactory> factories;
  return factories;
}

StoreFactoryRegistration::StoreFactoryRegistration(StoreFactory factory) {
  store_factories().push_back(std::move(factory));
}

SettableClock::SettableClock() : millis_(epoch_millis(SystemClock().now())) {}

}  // namespace kefir::test
