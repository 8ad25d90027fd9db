#pragma once
// The fixture of every conformance test: a fresh store from the factory under test, a settable clock, and a
// key prefix unique to the test so that stores sharing one table (DynamoDB) see no other test's items.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "conformance/store_factories.hpp"
#include "support/test_env.hpp"

namespace kefir::test {

class ItemStoreTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    if (!GetParam().available) GTEST_SKIP() << GetParam().unavailable_reason;
    store_ = GetParam().make(clock_);
    prefix_ = "T" + unique_suffix() + "#";
  }

  store::ItemStore& store() { return *store_; }
  // A partition (or any key value) private to this test.
  std::string unique(std::string_view name) const { return prefix_ + std::string(name); }

  static store::Item item(const std::string& pk, const std::string& sk, json::object attributes = {}) {
    attributes["PK"] = pk;
    attributes["SK"] = sk;
    return attributes;
  }

  // "007" for (7, 3): sort keys that sort like their numbers.
  static std::string padded(int number, std::size_t width) {
    auto digits = std::to_string(number);
    return std::string(width > digits.size() ? width - digits.size() : 0, '0') + digits;
  }

  static std::vector<std::string> strings(const std::vector<store::Item>& items, std::string_view attribute) {
    std::vector<std::string> out;
    for (const auto& each : items) out.push_back(json_string(each, attribute));
    return out;
  }

  SettableClock clock_;
  std::unique_ptr<store::ItemStore> store_;
  std::string prefix_;
};

}  // namespace kefir::test

// Runs the TEST_Ps of `fixture` (a subclass of ItemStoreTest) against every registered store.
#define KEFIR_CONFORMANCE_SUITE(fixture)                                      \
  INSTANTIATE_TEST_SUITE_P(                                                   \
      Stores, fixture, ::testing::ValuesIn(::kefir::test::store_factories()), \
      [](const ::testing::TestParamInfo<::kefir::test::StoreFactory>& info) { return info.param.name; })
