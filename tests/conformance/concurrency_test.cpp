// Many threads writing the same items: conditional writes serialize, so no update is lost and every claim has
// exactly one winner.
#include <map>
#include <mutex>
#include <thread>

#include "conformance/item_store_fixture.hpp"

namespace kefir::test {
namespace {

using store::Condition;
using store::ConditionFailed;
using store::Key;
using store::Update;

constexpr int kThreads = 8;

class Concurrency : public ItemStoreTest {
 protected:
  template <class Work>
  void on_threads(Work work) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back([&work, t] { work(t); });
    for (auto& thread : threads) thread.join();
  }
};
KEFIR_CONFORMANCE_SUITE(Concurrency);

TEST_P(Concurrency, ConditionalIncrementsLoseNoUpdate) {
  constexpr int kIncrements = 25;
  const Key key{unique("BATCH#counter"), "COUNTER"};
  store().put(item(key.pk, key.sk, {{"count", 0}}));
  on_threads([&](int) {
    for (int i = 0; i < kIncrements; ++i) {
      while (true) {
        auto current = json_int(*store().get(key), "count").value();
        try {
          store().update(key, Update{{{"count", current + 1}}, {}, {}}, Condition::equals("count", current));
          break;
        } catch (const ConditionFailed&) {
          // Another thread got there first: read again.
        }
      }
    }
  });
  EXPECT_EQ(json_int(*store().get(key), "count"), kThreads * kIncrements);
}

TEST_P(Concurrency, AtomicAddsLoseNoUpdate) {
  constexpr int kAdds = 40;
  const Key key{unique("STATS#day"), "COUNTER"};
  on_threads([&](int) {
    for (int i = 0; i < kAdds; ++i) store().update(key, Update{{}, {}, {{"hits", 1}}});
  });
  EXPECT_EQ(json_int(*store().get(key), "hits"), kThreads * kAdds);
}

TEST_P(Concurrency, EveryClaimHasExactlyOneWinner) {
  constexpr int kClaims = 30;
  std::mutex mutex;
  std::map<std::string, std::vector<int>> winners;
  on_threads([&](int t) {
    for (int i = 0; i < kClaims; ++i) {
      const auto pk = unique("EMAIL#user" + std::to_string(i) + "@example.com");
      try {
        store().put(item(pk, "CLAIM", {{"owner", t}}), Condition::item_absent());
        std::lock_guard lock(mutex);
        winners[pk].push_back(t);
      } catch (const ConditionFailed&) {
      }
    }
  });
  ASSERT_EQ(winners.size(), static_cast<std::size_t>(kClaims));
  for (const auto& [pk, threads] : winners) {
    ASSERT_EQ(threads.size(), 1u) << pk;
    EXPECT_EQ(json_int(*store().get({pk, "CLAIM"}), "owner"), threads.front()) << pk;
  }
}

}  // namespace
}  // namespace kefir::test
