// Every condition operator, on present and absent attributes and items, through single writes.
#include "conformance/item_store_fixture.hpp"

namespace kefir::test {
namespace {

using store::Condition;
using store::ConditionFailed;
using store::Key;
using store::Update;

struct Case {
  const char* description;
  Condition condition;
  bool holds;
};

class Conditions : public ItemStoreTest {
 protected:
  // Rewrites the item unchanged under `condition`: true when the store accepted the write.
  bool put_accepted(const store::Item& stored, const Condition& condition) {
    try {
      store().put(stored, condition);
      return true;
    } catch (const ConditionFailed& failed) {
      EXPECT_EQ(failed.index(), -1);
      return false;
    }
  }

  void expect_cases(const store::Item& stored, const std::vector<Case>& cases) {
    for (const auto& each : cases) {
      EXPECT_EQ(put_accepted(stored, each.condition), each.holds) << each.description;
    }
  }
};
KEFIR_CONFORMANCE_SUITE(Conditions);

TEST_P(Conditions, OperatorsOnPresentAttributes) {
  const auto stored =
      item(unique("reminder"), "REMINDER#1",
           {{"status", "sending"}, {"count", 5}, {"ratio", 2.5}, {"flag", true}, {"name", "b"}});
  store().put(stored);
  expect_cases(stored, {
                           {"exists", Condition::exists("status"), true},
                           {"not_exists on a present attribute", Condition::not_exists("status"), false},
                           {"equals string", Condition::equals("status", "sending"), true},
                           {"equals other string", Condition::equals("status", "pending"), false},
                           {"equals integer", Condition::equals("count", 5), true},
                           {"equals other integer", Condition::equals("count", 6), false},
                           {"equals integer as double", Condition::equals("count", 5.0), true},
                           {"equals double", Condition::equals("ratio", 2.5), true},
                           {"equals bool", Condition::equals("flag", true), true},
                           {"equals other bool", Condition::equals("flag", false), false},
                           {"equals number against string", Condition::equals("count", "5"), false},
                           {"less true", Condition::less("count", 6), true},
                           {"less on equal", Condition::less("count", 5), false},
                           {"less than a double", Condition::less("count", 5.5), true},
                           {"less_equal on equal", Condition::less_equal("count", 5), true},
                           {"less_equal false", Condition::less_equal("count", 4), false},
                           {"greater true", Condition::greater("count", 4), true},
                           {"greater on equal", Condition::greater("count", 5), false},
                           {"greater double", Condition::greater("ratio", 2), true},
                           {"greater_equal on equal", Condition::greater_equal("count", 5), true},
                           {"greater_equal false", Condition::greater_equal("count", 6), false},
                           {"string less", Condition::less("name", "c"), true},
                           {"string less on equal", Condition::less("name", "b"), false},
                           {"string less_equal", Condition::less_equal("name", "b"), true},
                           {"string greater", Condition::greater("name", "a"), true},
                           {"string greater_equal false", Condition::greater_equal("name", "c"), false},
                           {"strings compare by bytes: 'b' < 'é'", Condition::less("name", "é"), true},
                           {"strings compare by bytes: 'b' > 'B'", Condition::greater("name", "B"), true},
                           {"string against number", Condition::less("name", 5), false},
                           {"number against string", Condition::greater("count", "a"), false},
                           {"item_exists", Condition::item_exists(), true},
                           {"item_absent", Condition::item_absent(), false},
                       });
}

TEST_P(Conditions, ComparisonsOnAnAbsentAttributeAreFalse) {
  const auto stored = item(unique("reminder"), "REMINDER#1", {{"status", "pending"}});
  store().put(stored);
  expect_cases(stored, {
                           {"exists", Condition::exists("leaseUntil"), false},
                           {"not_exists", Condition::not_exists("leaseUntil"), true},
                           {"equals", Condition::equals("leaseUntil", "x"), false},
                           {"less", Condition::less("leaseUntil", "z"), false},
                           {"less_equal", Condition::less_equal("leaseUntil", "z"), false},
                           {"greater", Condition::greater("leaseUntil", ""), false},
                           {"greater_equal", Condition::greater_equal("leaseUntil", ""), false},
                       });
}

TEST_P(Conditions, ConditionsOnAMissingItem) {
  const Key key{unique("email"), "CLAIM"};
  auto claim = [&](const Condition& condition) {
    try {
      store().update(key, Update{{{"owner", "u1"}}, {}, {}}, condition);
      return true;
    } catch (const ConditionFailed&) {
      return false;
    }
  };
  EXPECT_FALSE(claim(Condition::item_exists()));
  EXPECT_FALSE(claim(Condition::equals("owner", "u1")));
  EXPECT_FALSE(claim(Condition::less("owner", "zzz")));
  EXPECT_FALSE(store().get(key).has_value());
  EXPECT_TRUE(claim(Condition::item_absent()));
  EXPECT_TRUE(store().get(key).has_value());
  EXPECT_FALSE(claim(Condition::item_absent()));
}

TEST_P(Conditions, AllOfAndAnyOf) {
  const auto stored = item(unique("batch"), "BATCH#1", {{"status", "active"}, {"stage", 2}});
  store().put(stored);
  expect_cases(
      stored,
      {
          {"all_of, all hold",
           Condition::all_of({Condition::equals("status", "active"), Condition::greater("stage", 1)}), true},
          {"all_of, one fails",
           Condition::all_of({Condition::equals("status", "active"), Condition::greater("stage", 2)}), false},
          {"any_of, second holds",
           Condition::any_of(
               {Condition::equals("status", "archived"), Condition::equals("status", "active")}),
           true},
          {"any_of, none holds",
           Condition::any_of({Condition::equals("status", "archived"), Condition::not_exists("stage")}),
           false},
          {"nested",
           Condition::any_of(
               {Condition::item_absent(),
                Condition::all_of({Condition::exists("status"), Condition::less_equal("stage", 2)})}),
           true},
      });
}

// The reminder processor's claim: pending, or sending with an expired lease.
TEST_P(Conditions, LeaseClaim) {
  const Key key{unique("USER#u1"), "REMINDER#r1"};
  store().put(item(key.pk, key.sk, {{"status", "pending"}}));
  auto try_claim = [&] {
    const auto now = clock_.now();
    const std::string now_text = format_rfc3339(now);
    auto claimable =
        Condition::any_of({Condition::equals("status", "pending"),
                           Condition::all_of({Condition::equals("status", "sending"),
                                              Condition::less("leaseUntil", json::value(now_text))})});
    try {
      store().update(
          key, Update{{{"status", "sending"}, {"leaseUntil", format_rfc3339(now + seconds(30))}}, {}, {}},
          claimable);
      return true;
    } catch (const ConditionFailed&) {
      return false;
    }
  };
  EXPECT_TRUE(try_claim()) << "a pending reminder is claimable";
  EXPECT_FALSE(try_claim()) << "a fresh lease blocks other claims";
  clock_.advance(seconds(29));
  EXPECT_FALSE(try_claim()) << "the lease still runs";
  clock_.advance(seconds(2));
  EXPECT_TRUE(try_claim()) << "an expired lease can be taken over";
  store().update(key, Update{{{"status", "sent"}}, {"leaseUntil"}, {}});
  clock_.advance(minutes(5));
  EXPECT_FALSE(try_claim()) << "a sent reminder is never claimed again";
}

}  // namespace
}  // namespace kefir::test
