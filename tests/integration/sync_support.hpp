#pragma once
// What the GET/POST /sync tests and the WatermelonDB ones check alike.
#include <gtest/gtest.h>

#include <string>

#include "integration/batches_support.hpp"

namespace kefir::test {

// The server's version of the one record a push answered 409 lists as conflicting, after checking that the
// answer is a CONFLICT naming exactly `table`/`id`; an empty object (and a failed test) otherwise.
inline json::object only_conflict(const HttpResponse& pushed, const std::string& table,
                                  const std::string& id) {
  EXPECT_EQ(pushed.status, 409) << pushed.body;
  if (pushed.status != 409) return {};
  auto answer = pushed.json().as_object();
  EXPECT_EQ(answer.at("code"), "CONFLICT");
  const auto& conflicts = answer.at("conflicts").as_array();
  EXPECT_EQ(conflicts.size(), 1u) << pushed.body;
  if (conflicts.size() != 1) return {};
  EXPECT_EQ(text(conflicts[0].at("table")), table);
  EXPECT_EQ(text(conflicts[0].at("id")), id);
  return conflicts[0].at("server").as_object();
}

}  // namespace kefir::test
