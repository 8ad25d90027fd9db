#pragma once
// The fields a domain reader rejects a body for: the `field` of each VALIDATION_ERROR detail, in the order
// reported; empty when the body is accepted.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/errors.hpp"

namespace kefir::test {

template <typename Read>
std::vector<std::string> rejected_fields_of(Read&& read) {
  try {
    read();
    return {};
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.failure(), domain::Failure::Invalid);
    EXPECT_EQ(error.code(), "VALIDATION_ERROR");
    std::vector<std::string> fields;
    for (const auto& detail : error.details()) fields.push_back(detail.field);
    return fields;
  }
}

}  // namespace kefir::test
