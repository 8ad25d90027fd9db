// Queries on the table and on GSI1: sort-key operators, order, limit, paging and the sparse index.
#include <algorithm>
#include <set>

#include "conformance/item_store_fixture.hpp"

namespace kefir::test {
namespace {

using store::Query;
using store::SortCondition;
using store::SortOp;

using Strings = std::vector<std::string>;

class Queries : public ItemStoreTest {
 protected:
  // Follows last_key until the store says there is nothing more; every page must respect the limit.
  std::vector<store::Item> all_pages(Query query) {
    std::vector<store::Item> items;
    for (int page_number = 0; page_number < 1000; ++page_number) {
      auto page = store().query(query);
      if (query.limit > 0) {
        EXPECT_LE(page.items.size(), query.limit);
      }
      items.insert(items.end(), page.items.begin(), page.items.end());
      if (!page.last_key) return items;
      query.start_after = page.last_key;
    }
    ADD_FAILURE() << "paging never ended";
    return items;
  }

  Strings sort_keys(const std::string& partition, SortCondition sort = {}, bool forward = true) {
    Query query;
    query.partition = partition;
    query.sort = std::move(sort);
    query.forward = forward;
    auto page = store().query(query);
    EXPECT_FALSE(page.last_key.has_value()) << "a query without a limit returns everything at once";
    return strings(page.items, "SK");
  }

  Strings gsi_sort_keys(const std::string& partition, SortCondition sort = {}, bool forward = true) {
    Query query;
    query.on_gsi1 = true;
    query.partition = partition;
    query.sort = std::move(sort);
    query.forward = forward;
    return strings(store().query(query).items, "GSI1SK");
  }

  // SKs A#01..A#05, B#01..B#03 and C in one partition, plus a neighbour partition sharing its prefix.
  std::string events() {
    const auto pk = unique("BATCH#b1");
    for (const char* sk : {"B#02", "A#03", "C", "A#01", "B#01", "A#05", "A#02", "B#03", "A#04"}) {
      store().put(item(pk, sk, {{"n", sk}}));
    }
    store().put(item(pk + "0", "A#01"));
    return pk;
  }
};
KEFIR_CONFORMANCE_SUITE(Queries);

TEST_P(Queries, WholePartitionInSortKeyOrder) {
  const auto pk = events();
  EXPECT_EQ(sort_keys(pk), (Strings{"A#01", "A#02", "A#03", "A#04", "A#05", "B#01", "B#02", "B#03", "C"}));
  EXPECT_EQ(sort_keys(pk, {}, false),
            (Strings{"C", "B#03", "B#02", "B#01", "A#05", "A#04", "A#03", "A#02", "A#01"}));
  EXPECT_TRUE(sort_keys(unique("empty")).empty());
}

TEST_P(Queries, SortKeyOperators) {
  const auto pk = events();
  EXPECT_EQ(sort_keys(pk, {SortOp::equals, "B#02", {}}), (Strings{"B#02"}));
  EXPECT_EQ(sort_keys(pk, {SortOp::equals, "B#0", {}}), (Strings{}));
  EXPECT_EQ(sort_keys(pk, {SortOp::begins_with, "B#", {}}), (Strings{"B#01", "B#02", "B#03"}));
  EXPECT_EQ(sort_keys(pk, {SortOp::begins_with, "A#0", {}}, false),
            (Strings{"A#05", "A#04", "A#03", "A#02", "A#01"}));
  EXPECT_EQ(sort_keys(pk, {SortOp::begins_with, "D", {}}), (Strings{}));
  EXPECT_EQ(sort_keys(pk, {SortOp::between, "A#04", "B#02"}), (Strings{"A#04", "A#05", "B#01", "B#02"}));
  EXPECT_EQ(sort_keys(pk, {SortOp::less, "A#03", {}}), (Strings{"A#01", "A#02"}));
  EXPECT_EQ(sort_keys(pk, {SortOp::less_equal, "A#03", {}}), (Strings{"A#01", "A#02", "A#03"}));
  EXPECT_EQ(sort_keys(pk, {SortOp::greater, "B#02", {}}), (Strings{"B#03", "C"}));
  EXPECT_EQ(sort_keys(pk, {SortOp::greater_equal, "B#02", {}}), (Strings{"B#02", "B#03", "C"}));
  EXPECT_EQ(sort_keys(pk, {SortOp::greater_equal, "B#02", {}}, false), (Strings{"C", "B#03", "B#02"}));
}

TEST_P(Queries, BeginsWithComparesUtf8Bytes) {
  const auto pk = unique("bytes");
  for (const char* sk : {"aé", "aÿ", "aÿ😀", "aĀ", "a\U0010FFFF", "a\U0010FFFFz", "b"})
    store().put(item(pk, sk));
  EXPECT_EQ(sort_keys(pk, {SortOp::begins_with, "aÿ", {}}), (Strings{"aÿ", "aÿ😀"}));
  EXPECT_EQ(sort_keys(pk, {SortOp::begins_with, "a\U0010FFFF", {}}),
            (Strings{"a\U0010FFFF", "a\U0010FFFFz"}));
  EXPECT_EQ(sort_keys(pk, {SortOp::begins_with, "a", {}}),
            (Strings{"aé", "aÿ", "aÿ😀", "aĀ", "a\U0010FFFF", "a\U0010FFFFz"}));
  EXPECT_EQ(sort_keys(pk, {SortOp::greater, "aÿ", {}}),
            (Strings{"aÿ😀", "aĀ", "a\U0010FFFF", "a\U0010FFFFz", "b"}));
}

TEST_P(Queries, LimitReturnsTheFirstItemsAndAStartKey) {
  const auto pk = events();
  Query query;
  query.partition = pk;
  query.limit = 3;
  auto page = store().query(query);
  EXPECT_EQ(strings(page.items, "SK"), (Strings{"A#01", "A#02", "A#03"}));
  ASSERT_TRUE(page.last_key.has_value());

  query.start_after = page.last_key;
  EXPECT_EQ(strings(store().query(query).items, "SK"), (Strings{"A#04", "A#05", "B#01"}));

  query = {};
  query.partition = pk;
  query.forward = false;
  query.limit = 2;
  query.sort = {SortOp::less, "B", {}};
  EXPECT_EQ(strings(store().query(query).items, "SK"), (Strings{"A#05", "A#04"}));

  query.limit = 50;
  EXPECT_EQ(store().query(query).items.size(), 5u);
}

TEST_P(Queries, PagingVisitsEveryItemOnceInBothDirections) {
  const auto pk = unique("USER#pager");
  Strings expected;
  for (int i = 0; i < 23; ++i) {
    const auto sk = "EVENT#" + padded(i, 3);
    expected.push_back(sk);
    store().put(item(pk, sk));
  }
  Query query;
  query.partition = pk;
  query.sort = {SortOp::begins_with, "EVENT#", {}};
  for (std::size_t limit : {1u, 5u, 23u, 24u}) {
    query.limit = limit;
    query.forward = true;
    EXPECT_EQ(strings(all_pages(query), "SK"), expected) << "limit " << limit;
    query.forward = false;
    EXPECT_EQ(strings(all_pages(query), "SK"), Strings(expected.rbegin(), expected.rend()))
        << "limit " << limit;
  }
}

// List pages read stored text (query_documents): the same items as query() gives, as JSON objects, and the
// same key to resume after, page by page.
void expect_documents_match(store::ItemStore& store, Query query) {
  for (int page_number = 0; page_number < 100; ++page_number) {
    auto items = store.query(query);
    auto documents = store.query_documents(query);
    ASSERT_EQ(documents.documents.size(), items.items.size());
    for (std::size_t i = 0; i < items.items.size(); ++i)
      EXPECT_EQ(json::parse(documents.documents[i]), json::value(items.items[i])) << documents.documents[i];
    EXPECT_EQ(documents.last_key, items.last_key);
    if (!items.last_key) return;
    query.start_after = items.last_key;
  }
  ADD_FAILURE() << "paging never ended";
}

TEST_P(Queries, DocumentsAreTheItemsAsText) {
  const auto pk = events();
  Query query;
  query.partition = pk;
  for (std::size_t limit : {0u, 1u, 4u, 9u, 10u}) {
    for (bool forward : {true, false}) {
      query.limit = limit;
      query.forward = forward;
      expect_documents_match(store(), query);
    }
  }
  query.limit = 2;
  query.sort = {SortOp::begins_with, "B#", {}};
  expect_documents_match(store(), query);
}

class GsiQueries : public Queries {
 protected:
  // Batches of several users in one GSI1 partition, and items of the same users that are not in the index.
  std::string due() {
    const auto shard = unique("DUE#07");
    int n = 0;
    for (const char* time :
         {"2026-01-15T10:00", "2026-01-15T09:00", "2026-01-16T08:00", "2026-01-14T23:00"}) {
      const auto user = unique("USER#u" + std::to_string(n));
      store().put(item(user, "REMINDER#" + std::to_string(n), {{"GSI1PK", shard}, {"GSI1SK", time}}));
      store().put(item(user, "PROFILE", {{"name", "not indexed"}}));
      ++n;
    }
    store().put(
        item(unique("USER#other"), "REMINDER#x", {{"GSI1PK", shard + "X"}, {"GSI1SK", "2026-01-15T10:00"}}));
    return shard;
  }
};
KEFIR_CONFORMANCE_SUITE(GsiQueries);

TEST_P(GsiQueries, OperatorsAndOrder) {
  const auto shard = due();
  const Strings all = {"2026-01-14T23:00", "2026-01-15T09:00", "2026-01-15T10:00", "2026-01-16T08:00"};
  EXPECT_EQ(gsi_sort_keys(shard), all);
  EXPECT_EQ(gsi_sort_keys(shard, {}, false), Strings(all.rbegin(), all.rend()));
  EXPECT_EQ(gsi_sort_keys(shard, {SortOp::equals, "2026-01-15T09:00", {}}), (Strings{"2026-01-15T09:00"}));
  EXPECT_EQ(gsi_sort_keys(shard, {SortOp::begins_with, "2026-01-15", {}}),
            (Strings{"2026-01-15T09:00", "2026-01-15T10:00"}));
  EXPECT_EQ(gsi_sort_keys(shard, {SortOp::between, "2026-01-15", "2026-01-15T23:59"}),
            (Strings{"2026-01-15T09:00", "2026-01-15T10:00"}));
  EXPECT_EQ(gsi_sort_keys(shard, {SortOp::less, "2026-01-15T10:00", {}}),
            (Strings{"2026-01-14T23:00", "2026-01-15T09:00"}));
  EXPECT_EQ(gsi_sort_keys(shard, {SortOp::less_equal, "2026-01-15T10:00", {}}),
            (Strings{"2026-01-14T23:00", "2026-01-15T09:00", "2026-01-15T10:00"}));
  EXPECT_EQ(gsi_sort_keys(shard, {SortOp::greater, "2026-01-15T10:00", {}}), (Strings{"2026-01-16T08:00"}));
  EXPECT_EQ(gsi_sort_keys(shard, {SortOp::greater_equal, "2026-01-15T10:00", {}}, false),
            (Strings{"2026-01-16T08:00", "2026-01-15T10:00"}));
}

TEST_P(GsiQueries, DocumentsAreTheItemsAsText) {
  const auto shard = due();
  Query query;
  query.on_gsi1 = true;
  query.partition = shard;
  for (std::size_t limit : {0u, 1u, 3u}) {
    for (bool forward : {true, false}) {
      query.limit = limit;
      query.forward = forward;
      expect_documents_match(store(), query);
    }
  }
}

TEST_P(GsiQueries, IndexIsSparse) {
  const auto shard = due();
  Query query;
  query.on_gsi1 = true;
  query.partition = shard;
  auto page = store().query(query);
  ASSERT_EQ(page.items.size(), 4u);
  for (const auto& each : page.items) {
    EXPECT_TRUE(json_string(each, "SK").starts_with("REMINDER#")) << json::serialize(each);
    EXPECT_EQ(json_string(each, "GSI1PK"), shard) << "the whole item comes back";
  }
  // A reminder leaves the index when its GSI1 attributes go (sent reminders are no longer due).
  const auto& first = page.items.front();
  store().update(store::key_of(first), {{{"status", "sent"}}, {"GSI1PK", "GSI1SK"}, {}});
  EXPECT_EQ(gsi_sort_keys(shard), (Strings{"2026-01-15T09:00", "2026-01-15T10:00", "2026-01-16T08:00"}));
  EXPECT_TRUE(store().get(store::key_of(first)).has_value());
}

TEST_P(GsiQueries, PagingOverEqualSortKeysVisitsEveryItemOnce) {
  const auto shard = unique("DUE#03");
  std::set<std::string> expected;
  for (int i = 0; i < 13; ++i) {
    const auto user = unique("USER#" + std::to_string(i % 4));
    const auto sk = "REMINDER#" + std::to_string(i);
    store().put(item(user, sk, {{"GSI1PK", shard}, {"GSI1SK", "T" + std::to_string(i % 3)}}));
    expected.insert(user + "|" + sk);
  }
  Query query;
  query.on_gsi1 = true;
  query.partition = shard;
  for (bool forward : {true, false}) {
    for (std::size_t limit : {1u, 4u, 5u}) {
      query.forward = forward;
      query.limit = limit;
      auto items = all_pages(query);
      std::multiset<std::string> seen;
      for (const auto& each : items) seen.insert(json_string(each, "PK") + "|" + json_string(each, "SK"));
      EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected) << "limit " << limit;
      EXPECT_EQ(seen.size(), expected.size()) << "an item came twice, limit " << limit;
      auto order = strings(items, "GSI1SK");
      if (forward) {
        EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
      } else {
        EXPECT_TRUE(std::is_sorted(order.rbegin(), order.rend()));
      }
    }
  }
}

}  // namespace
}  // namespace kefir::test
