// transact_write: all or nothing, the failing operation's index, Check operations and the 25-operation limit.
#include "conformance/item_store_fixture.hpp"

namespace kefir::test {
namespace {

using store::Check;
using store::Condition;
using store::ConditionFailed;
using store::Delete;
using store::Key;
using store::Put;
using store::Update;
using store::UpdateItem;
using store::WriteOp;

class Transactions : public ItemStoreTest {
 protected:
  // Four existing items a..d of one user and the state the tests expect to be untouched by failures.
  void SetUp() override {
    ItemStoreTest::SetUp();
    if (IsSkipped()) return;
    pk_ = unique("USER#u1");
    for (const char* sk : {"a", "b", "c", "d"}) {
      store().put(item(pk_, sk, {{"status", "active"}, {"version", 1}}));
      before_.push_back(*store().get({pk_, sk}));
    }
  }

  void expect_unchanged() {
    for (const auto& original : before_) EXPECT_EQ(store().get(store::key_of(original)), original);
  }

  // Runs a transaction expected to fail; returns the index ConditionFailed reports.
  int failing_index(const std::vector<WriteOp>& operations) {
    try {
      store().transact_write(operations);
    } catch (const ConditionFailed& failed) {
      return failed.index();
    }
    ADD_FAILURE() << "the transaction should have failed";
    return -2;
  }

  std::string pk_;
  std::vector<store::Item> before_;
};
KEFIR_CONFORMANCE_SUITE(Transactions);

TEST_P(Transactions, AllOperationsApplyTogether) {
  store().transact_write({
      Put{item(pk_, "new", {{"status", "created"}}), Condition::item_absent()},
      UpdateItem{{pk_, "a"},
                 Update{{{"status", "archived"}}, {}, {{"version", 1}}},
                 Condition::equals("version", 1)},
      Delete{{pk_, "b"}, Condition::exists("status")},
      Check{{pk_, "c"}, Condition::equals("status", "active")},
      UpdateItem{{pk_, "created-by-update"}, Update{{{"status", "x"}}, {}, {}}, std::nullopt},
  });
  EXPECT_EQ(json_string(*store().get({pk_, "new"}), "status"), "created");
  auto a = store().get({pk_, "a"});
  EXPECT_EQ(json_string(*a, "status"), "archived");
  EXPECT_EQ(json_int(*a, "version"), 2);
  EXPECT_FALSE(store().get({pk_, "b"}).has_value());
  EXPECT_EQ(store().get({pk_, "c"}), before_[2]);
  EXPECT_EQ(store().get({pk_, "created-by-update"}), item(pk_, "created-by-update", {{"status", "x"}}));
}

TEST_P(Transactions, OneFailingConditionWritesNothing) {
  EXPECT_EQ(
      failing_index({
          Put{item(pk_, "new"), Condition::item_absent()},
          UpdateItem{{pk_, "a"}, Update{{{"status", "archived"}}, {}, {}}, Condition::equals("version", 1)},
          Put{item(pk_, "c", {{"status", "overwritten"}}), Condition::item_absent()},
          Delete{{pk_, "d"}, std::nullopt},
      }),
      2);
  expect_unchanged();
  EXPECT_FALSE(store().get({pk_, "new"}).has_value());
}

TEST_P(Transactions, FailingFirstOperationReportsIndexZero) {
  EXPECT_EQ(failing_index({
                Delete{{pk_, "a"}, Condition::equals("status", "deleted")},
                Delete{{pk_, "b"}, std::nullopt},
            }),
            0);
  expect_unchanged();
}

TEST_P(Transactions, FailingCheckCancelsTheWrites) {
  EXPECT_EQ(failing_index({
                Put{item(pk_, "new"), std::nullopt},
                Delete{{pk_, "a"}, std::nullopt},
                Check{{pk_, "b"}, Condition::greater("version", 1)},
            }),
            2);
  expect_unchanged();
  EXPECT_FALSE(store().get({pk_, "new"}).has_value());
}

TEST_P(Transactions, CheckOnAMissingItem) {
  store().transact_write(
      {Check{{pk_, "missing"}, Condition::item_absent()}, Delete{{pk_, "a"}, std::nullopt}});
  EXPECT_FALSE(store().get({pk_, "a"}).has_value());
  EXPECT_EQ(
      failing_index({Put{item(pk_, "e"), std::nullopt}, Check{{pk_, "missing"}, Condition::item_exists()}}),
      1);
  EXPECT_FALSE(store().get({pk_, "e"}).has_value());
}

TEST_P(Transactions, TwentyFiveOperationsAreAllowed) {
  std::vector<WriteOp> operations;
  for (int i = 0; i < 25; ++i)
    operations.push_back(Put{item(pk_, "item#" + std::to_string(i)), std::nullopt});
  store().transact_write(operations);
  for (int i = 0; i < 25; ++i) EXPECT_TRUE(store().get({pk_, "item#" + std::to_string(i)}).has_value()) << i;
}

TEST_P(Transactions, MoreThanTwentyFiveOperationsAreRefused) {
  std::vector<WriteOp> operations;
  for (int i = 0; i < 26; ++i)
    operations.push_back(Put{item(pk_, "item#" + std::to_string(i)), std::nullopt});
  EXPECT_ANY_THROW(store().transact_write(operations));
  for (int i = 0; i < 26; ++i) EXPECT_FALSE(store().get({pk_, "item#" + std::to_string(i)}).has_value()) << i;
}

TEST_P(Transactions, TheSameItemTwiceIsRefused) {
  EXPECT_ANY_THROW(
      store().transact_write({Put{item(pk_, "new"), std::nullopt}, Delete{{pk_, "new"}, std::nullopt}}));
  EXPECT_FALSE(store().get({pk_, "new"}).has_value());
}

}  // namespace
}  // namespace kefir::test
