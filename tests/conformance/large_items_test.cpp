// Items near the size limit, and queries whose results span several of DynamoDB's 1 MB pages: a port-level
// limit N still returns N items.
#include "conformance/item_store_fixture.hpp"

namespace kefir::test {
namespace {

using store::Query;

constexpr std::size_t kLargeValueBytes = 300 * 1024;
constexpr int kLargeItems = 14;  // about 4 MB in one partition

std::string large_value(int seed) {
  std::string value(kLargeValueBytes, 'a');
  for (std::size_t i = 0; i < value.size(); i += 97) value[i] = static_cast<char>('a' + (seed + i) % 26);
  return value;
}

class LargeItems : public ItemStoreTest {
 protected:
  std::string fill() {
    const auto pk = unique("USER#photos");
    for (int i = 0; i < kLargeItems; ++i) {
      const auto sk = "PHOTO#" + padded(i, 2);
      store().put(item(pk, sk, {{"blob", large_value(i)}}));
    }
    return pk;
  }
};
KEFIR_CONFORMANCE_SUITE(LargeItems);

TEST_P(LargeItems, A300KilobyteItemRoundTrips) {
  const auto stored = item(unique("USER#u1"), "PHOTO#big", {{"blob", large_value(7)}, {"n", 1}});
  store().put(stored);
  EXPECT_EQ(store().get(store::key_of(stored)), stored);
}

TEST_P(LargeItems, LimitIsHonouredAcrossMegabytePages) {
  const auto pk = fill();
  Query query;
  query.partition = pk;
  query.limit = 10;
  auto first = store().query(query);
  ASSERT_EQ(first.items.size(), 10u);
  ASSERT_TRUE(first.last_key.has_value());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(json_string(first.items[i], "blob"), large_value(i)) << i;

  query.start_after = first.last_key;
  auto second = store().query(query);
  ASSERT_EQ(second.items.size(), 4u);
  EXPECT_EQ(json_string(second.items.front(), "SK"), "PHOTO#10");
  EXPECT_EQ(json_string(second.items.back(), "SK"), "PHOTO#13");

  Query backward;
  backward.partition = pk;
  backward.forward = false;
  backward.limit = 5;
  auto last_five = store().query(backward);
  ASSERT_EQ(last_five.items.size(), 5u);
  EXPECT_EQ(json_string(last_five.items.front(), "SK"), "PHOTO#13");
}

TEST_P(LargeItems, NoLimitReturnsEverything) {
  const auto pk = fill();
  Query query;
  query.partition = pk;
  auto page = store().query(query);
  ASSERT_EQ(page.items.size(), static_cast<std::size_t>(kLargeItems));
  EXPECT_FALSE(page.last_key.has_value());
  for (int i = 0; i < kLargeItems; ++i) EXPECT_EQ(json_string(page.items[i], "blob"), large_value(i)) << i;
}

}  // namespace
}  // namespace kefir::test
