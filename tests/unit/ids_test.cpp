#include "util/ids.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace kefir {
namespace {

void expect_version_4(const std::string& id) {
  ASSERT_TRUE(is_uuid(id)) << id;
  EXPECT_EQ(id[14], '4') << id;
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
}

TEST(Ids, RandomAndCorrelationIdsAreDistinctVersion4Uuids) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    auto random = uuid_v4();
    auto correlation = correlation_uuid();
    expect_version_4(random);
    expect_version_4(correlation);
    seen.insert(random);
    seen.insert(correlation);
  }
  EXPECT_EQ(seen.size(), 20000u);
}

TEST(Ids, CorrelationIdsOfTwoThreadsDoNotCollide) {
  std::vector<std::string> first, second;
  std::thread a([&] {
    for (int i = 0; i < 5000; ++i) first.push_back(correlation_uuid());
  });
  std::thread b([&] {
    for (int i = 0; i < 5000; ++i) second.push_back(correlation_uuid());
  });
  a.join();
  b.join();
  std::set<std::string> all(first.begin(), first.end());
  all.insert(second.begin(), second.end());
  EXPECT_EQ(all.size(), 10000u);
}

TEST(Ids, Version7IdsIncreaseWithinOneMillisecond) {
  UuidV7Generator ids;
  auto previous = ids.next(1'800'000'000'000);
  for (int i = 0; i < 1000; ++i) {
    auto next = ids.next(1'800'000'000'000);
    ASSERT_TRUE(is_uuid(next));
    EXPECT_EQ(next[14], '7');
    EXPECT_LT(previous, next);
    previous = next;
  }
  EXPECT_LT(previous, ids.next(1'800'000'000'001));
}

}  // namespace
}  // namespace kefir
