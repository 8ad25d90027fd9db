// get / put / update / remove on single items, and the values that must survive a round trip.
#include <cstdint>
#include <limits>

#include "conformance/item_store_fixture.hpp"

namespace kefir::test {
namespace {

using store::Condition;
using store::ConditionFailed;
using store::Key;
using store::Update;

class ItemOperations : public ItemStoreTest {};
KEFIR_CONFORMANCE_SUITE(ItemOperations);

TEST_P(ItemOperations, GetOfAMissingItemIsEmpty) {
  EXPECT_FALSE(store().get({unique("nobody"), "PROFILE"}).has_value());
}

TEST_P(ItemOperations, PutThenGetReturnsTheWholeItem) {
  auto stored = item(unique("user"), "PROFILE",
                     {{"email", "a@example.com"},
                      {"count", 3},
                      {"active", true},
                      {"nothing", nullptr},
                      {"tags", json::array{"x", "y"}},
                      {"settings", json::object{{"units", "metric"}, {"stage", 2}}}});
  store().put(stored);
  auto got = store().get(store::key_of(stored));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, stored);
}

// Single reads as text (batches are decoded from it): the item get() gives, as a JSON object; nothing when
// absent.
TEST_P(ItemOperations, GetDocumentIsTheItemAsText) {
  const auto pk = unique("USER#u1");
  auto stored =
      item(pk, "BATCH#1", {{"name", "Fig \"lemon\" \u00e9"}, {"n", 2.5}, {"list", json::array{1, "x"}}});
  store().put(stored);
  auto document = store().get_document({pk, "BATCH#1"});
  ASSERT_TRUE(document.has_value());
  EXPECT_EQ(json::parse(*document), json::value(*store().get({pk, "BATCH#1"})));
  EXPECT_FALSE(store().get_document({pk, "BATCH#2"}).has_value());
}

TEST_P(ItemOperations, PutReplacesTheWholeItem) {
  const auto pk = unique("user");
  store().put(item(pk, "PROFILE", {{"name", "first"}, {"old", 1}}));
  store().put(item(pk, "PROFILE", {{"name", "second"}}));
  auto got = store().get({pk, "PROFILE"});
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(json_string(*got, "name"), "second");
  EXPECT_FALSE(got->contains("old"));
}

TEST_P(ItemOperations, ItemsWithTheSamePartitionAreDistinctBySortKey) {
  const auto pk = unique("user");
  store().put(item(pk, "A", {{"v", 1}}));
  store().put(item(pk, "B", {{"v", 2}}));
  EXPECT_EQ(json_int(*store().get({pk, "A"}), "v"), 1);
  EXPECT_EQ(json_int(*store().get({pk, "B"}), "v"), 2);
}

TEST_P(ItemOperations, UpdateSetsRemovesAndAdds) {
  const Key key{unique("batch"), "BATCH#1"};
  store().put(item(key.pk, key.sk, {{"name", "old"}, {"note", "drop me"}, {"version", 4}, {"kept", "yes"}}));
  Update update;
  update.set = {{"name", "new"}, {"stage", 2}};
  update.remove = {"note"};
  update.add = {{"version", 1}, {"photos", 3}};
  auto result = store().update(key, update);

  auto expected =
      item(key.pk, key.sk, {{"name", "new"}, {"stage", 2}, {"version", 5}, {"photos", 3}, {"kept", "yes"}});
  EXPECT_EQ(result, expected);
  EXPECT_EQ(store().get(key), expected);
}

TEST_P(ItemOperations, AddSubtractsWithANegativeDelta) {
  const Key key{unique("counter"), "C"};
  store().put(item(key.pk, key.sk, {{"n", 10}}));
  EXPECT_EQ(json_int(store().update(key, Update{{}, {}, {{"n", -3}}}), "n"), 7);
}

TEST_P(ItemOperations, UpdateCreatesAMissingItem) {
  const Key key{unique("counter"), "DAY#2026-01-15"};
  Update update;
  update.set = {{"label", "created by update"}};
  update.add = {{"hits", 2}};
  auto result = store().update(key, update);
  auto expected = item(key.pk, key.sk, {{"label", "created by update"}, {"hits", 2}});
  EXPECT_EQ(result, expected);
  EXPECT_EQ(store().get(key), expected);
}

TEST_P(ItemOperations, UpdateWithAFailingConditionChangesNothing) {
  const Key key{unique("batch"), "BATCH#1"};
  const auto original = item(key.pk, key.sk, {{"status", "active"}, {"version", 1}});
  store().put(original);
  Update update;
  update.set = {{"status", "archived"}};
  update.add = {{"version", 1}};
  try {
    store().update(key, update, Condition::equals("version", 7));
    FAIL() << "the condition should have failed";
  } catch (const ConditionFailed& failed) {
    EXPECT_EQ(failed.index(), -1);
  }
  EXPECT_EQ(store().get(key), original);
}

TEST_P(ItemOperations, UpdateRequiringTheItemDoesNotCreateIt) {
  const Key key{unique("batch"), "BATCH#missing"};
  EXPECT_THROW(store().update(key, Update{{{"status", "x"}}, {}, {}}, Condition::item_exists()),
               ConditionFailed);
  EXPECT_FALSE(store().get(key).has_value());
}

TEST_P(ItemOperations, UpdateCannotChangeTheKey) {
  const Key key{unique("user"), "PROFILE"};
  const auto original = item(key.pk, key.sk, {{"name", "n"}});
  store().put(original);
  EXPECT_ANY_THROW(store().update(key, Update{{{"SK", "OTHER"}}, {}, {}}));
  EXPECT_EQ(store().get(key), original);
  EXPECT_FALSE(store().get({key.pk, "OTHER"}).has_value());
}

TEST_P(ItemOperations, RemoveReturnsTheRemovedItem) {
  const auto stored = item(unique("device"), "DEVICE#1", {{"token", "ExponentPushToken[abc]"}});
  store().put(stored);
  EXPECT_EQ(store().remove(store::key_of(stored)), stored);
  EXPECT_FALSE(store().get(store::key_of(stored)).has_value());
  EXPECT_FALSE(store().remove(store::key_of(stored)).has_value());
}

TEST_P(ItemOperations, RemoveWithAFailingConditionKeepsTheItem) {
  const auto stored = item(unique("batch"), "BATCH#1", {{"status", "active"}});
  const auto key = store::key_of(stored);
  store().put(stored);
  EXPECT_THROW(store().remove(key, Condition::equals("status", "deleted")), ConditionFailed);
  EXPECT_EQ(store().get(key), stored);
  EXPECT_EQ(store().remove(key, Condition::equals("status", "active")), stored);
  EXPECT_FALSE(store().get(key).has_value());
}

TEST_P(ItemOperations, VersionCheckRejectsAStaleWriter) {
  const Key key{unique("batch"), "BATCH#1"};
  store().put(item(key.pk, key.sk, {{"version", 1}, {"name", "a"}}), Condition::item_absent());
  EXPECT_THROW(store().put(item(key.pk, key.sk, {{"version", 1}}), Condition::item_absent()),
               ConditionFailed);

  // Two writers read version 1; the first one wins, the second is told so.
  Update rename{{{"name", "b"}}, {}, {{"version", 1}}};
  EXPECT_EQ(json_int(store().update(key, rename, Condition::equals("version", 1)), "version"), 2);
  EXPECT_THROW(store().update(key, rename, Condition::equals("version", 1)), ConditionFailed);
  EXPECT_EQ(json_int(*store().get(key), "version"), 2);
}

TEST_P(ItemOperations, UnicodeRoundTripsInKeysAndValues) {
  const std::string pk = unique("USER#Zoë-😀");
  const std::string name = "Kéfir de fruits — 水ケフィア 🍋 \u00e9\u0301 \"quoted\" \\ back\nline\ttab";
  const auto stored = item(pk, "BATCH#ü", {{"name", name}, {"emoji", "🧪🫙"}});
  store().put(stored);
  EXPECT_EQ(store().get({pk, "BATCH#ü"}), stored);

  store::Query query;
  query.partition = pk;
  query.sort = {store::SortOp::begins_with, "BATCH#ü", {}};
  auto page = store().query(query);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(json_string(page.items[0], "name"), name);
}

TEST_P(ItemOperations, NumbersRoundTripExactly) {
  const std::vector<std::int64_t> integers = {0,
                                              1,
                                              -1,
                                              1768471200000,
                                              std::numeric_limits<std::int64_t>::max(),
                                              std::numeric_limits<std::int64_t>::min() + 1};
  const std::vector<double> doubles = {0.1, -2.5, 3.141592653589793, 6.02214076e23, 1e-7, 1.5e100};
  json::object attributes;
  for (std::size_t i = 0; i < integers.size(); ++i) attributes["i" + std::to_string(i)] = integers[i];
  for (std::size_t i = 0; i < doubles.size(); ++i) attributes["d" + std::to_string(i)] = doubles[i];
  const auto stored = item(unique("numbers"), "N", attributes);
  store().put(stored);
  auto got = store().get(store::key_of(stored));
  ASSERT_TRUE(got.has_value());
  for (std::size_t i = 0; i < integers.size(); ++i) {
    EXPECT_EQ(json_int(*got, "i" + std::to_string(i)), integers[i]) << "integer " << i;
    EXPECT_FALSE(got->at("i" + std::to_string(i)).is_double()) << "integer " << i << " came back as a double";
  }
  for (std::size_t i = 0; i < doubles.size(); ++i) {
    EXPECT_EQ(json_number(*got, "d" + std::to_string(i)), doubles[i]) << "double " << i;
  }
}

TEST_P(ItemOperations, IsReady) {
  EXPECT_TRUE(store().ready());
}

}  // namespace
}  // namespace kefir::test
