// Items whose TTL has passed are gone for every read and every condition, purged or not.
#include "conformance/item_store_fixture.hpp"

namespace kefir::test {
namespace {

using store::Check;
using store::Condition;
using store::ConditionFailed;
using store::Key;
using store::Query;
using store::Update;

class Ttl : public ItemStoreTest {
 protected:
  std::int64_t now_seconds() const { return epoch_seconds(clock_.now()); }

  std::vector<std::string> partition_sort_keys(const std::string& pk) {
    Query query;
    query.partition = pk;
    return strings(store().query(query).items, "SK");
  }
};
KEFIR_CONFORMANCE_SUITE(Ttl);

TEST_P(Ttl, ExpiredItemsAreInvisibleToGetAndQuery) {
  const auto pk = unique("OTP#a@example.com");
  const auto shard = unique("DUE#01");
  const std::int64_t expiry = now_seconds() + 60;
  store().put(item(pk, "CHALLENGE", {{"TTL", expiry}, {"GSI1PK", shard}, {"GSI1SK", "1"}}));
  store().put(item(pk, "FOREVER", {{"GSI1PK", shard}, {"GSI1SK", "2"}}));
  store().put(item(pk, "LATER", {{"TTL", expiry + 3600}}));
  Query gsi;
  gsi.on_gsi1 = true;
  gsi.partition = shard;

  EXPECT_TRUE(store().get({pk, "CHALLENGE"}).has_value());
  EXPECT_EQ(partition_sort_keys(pk), (std::vector<std::string>{"CHALLENGE", "FOREVER", "LATER"}));
  EXPECT_EQ(store().query(gsi).items.size(), 2u);

  clock_.advance(seconds(59));
  EXPECT_TRUE(store().get({pk, "CHALLENGE"}).has_value()) << "one second before its TTL the item is alive";

  EXPECT_TRUE(store().get_document({pk, "CHALLENGE"}).has_value());

  clock_.set(TimePoint(seconds(expiry)));
  EXPECT_FALSE(store().get({pk, "CHALLENGE"}).has_value()) << "at its TTL the item has expired";
  EXPECT_FALSE(store().get_document({pk, "CHALLENGE"}).has_value());
  EXPECT_EQ(partition_sort_keys(pk), (std::vector<std::string>{"FOREVER", "LATER"}));
  EXPECT_EQ(strings(store().query(gsi).items, "SK"), std::vector<std::string>{"FOREVER"});
}

TEST_P(Ttl, QueryLimitCountsOnlyLiveItems) {
  const auto pk = unique("USER#u1");
  const std::int64_t expiry = now_seconds() + 10;
  for (int i = 0; i < 6; ++i) {
    json::object attributes;
    if (i % 2 == 0) attributes["TTL"] = expiry;
    store().put(item(pk, "IDEMP#" + std::to_string(i), attributes));
  }
  clock_.advance(seconds(11));
  Query query;
  query.partition = pk;
  query.limit = 3;
  auto page = store().query(query);
  EXPECT_EQ(strings(page.items, "SK"), (std::vector<std::string>{"IDEMP#1", "IDEMP#3", "IDEMP#5"}));
}

TEST_P(Ttl, ExpiredItemsAreAbsentForConditions) {
  const Key key{unique("RTOKEN#hash"), "TOKEN"};
  store().put(item(key.pk, key.sk, {{"TTL", now_seconds() + 5}, {"status", "active"}}));
  clock_.advance(seconds(6));

  EXPECT_THROW(store().update(key, Update{{{"status", "used"}}, {}, {}}, Condition::item_exists()),
               ConditionFailed);
  EXPECT_THROW(store().put(item(key.pk, key.sk), Condition::equals("status", "active")), ConditionFailed);
  store().transact_write({Check{key, Condition::item_absent()}});
  store().transact_write({Check{key, Condition::not_exists("status")}});

  // Creating the key again is allowed, as if it had never existed.
  const auto fresh = item(key.pk, key.sk, {{"status", "fresh"}, {"TTL", now_seconds() + 600}});
  store().put(fresh, Condition::item_absent());
  EXPECT_EQ(store().get(key), fresh);
}

TEST_P(Ttl, AnItemCanBeKeptAliveByMovingItsTtl) {
  const Key key{unique("RFAMILY#f1"), "FAMILY"};
  store().put(item(key.pk, key.sk, {{"TTL", now_seconds() + 10}}));
  store().update(key, Update{{{"TTL", now_seconds() + 1000}}, {}, {}}, Condition::item_exists());
  clock_.advance(seconds(100));
  EXPECT_TRUE(store().get(key).has_value());
}

}  // namespace
}  // namespace kefir::test
