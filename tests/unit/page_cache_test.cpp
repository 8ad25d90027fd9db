#include "app/page_cache.hpp"

#include <gtest/gtest.h>

namespace kefir {
namespace {

PageCache::Body page(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

TEST(PageCache, AnswersOnlyAtTheVersionThePageWasMadeAt) {
  PageCache cache(1 << 20);
  EXPECT_FALSE(cache.find("u1\n/batches?", 7));
  cache.keep("u1\n/batches?", 7, page("page at 7"));
  EXPECT_EQ(*cache.find("u1\n/batches?", 7), "page at 7");
  EXPECT_FALSE(cache.find("u1\n/batches?", 8));
  EXPECT_FALSE(cache.find("u1\n/batches?", 7)) << "an entry found outdated is dropped";
  EXPECT_EQ(cache.size_bytes(), 0u);
}

TEST(PageCache, KeysAreExact) {
  PageCache cache(1 << 20);
  cache.keep("u1\n/batches?", 1, page("u1 page"));
  EXPECT_FALSE(cache.find("u2\n/batches?", 1));
  EXPECT_FALSE(cache.find("u1\n/batches?limit=1", 1));
  cache.keep("u1\n/batches?", 1, page("u1 page, made again"));
  EXPECT_EQ(*cache.find("u1\n/batches?", 1), "u1 page, made again");
}

TEST(PageCache, StaysWithinItsBytesDroppingTheLeastRecentlyUsed) {
  PageCache cache(4000);
  const auto body = page(std::string(900, 'x'));
  cache.keep("a", 1, body);
  cache.keep("b", 1, body);
  cache.keep("c", 1, body);
  ASSERT_TRUE(cache.find("a", 1));  // a is now the most recent
  cache.keep("d", 1, body);
  cache.keep("e", 1, body);  // over 4000 bytes: b, then c, go
  EXPECT_LE(cache.size_bytes(), 4000u);
  EXPECT_TRUE(cache.find("a", 1));
  EXPECT_FALSE(cache.find("b", 1));
  EXPECT_TRUE(cache.find("e", 1));
}

TEST(PageCache, DoesNotKeepAPageLargerThanAQuarterOfIt) {
  PageCache cache(4000);
  cache.keep("big", 1, page(std::string(1500, 'x')));
  EXPECT_FALSE(cache.find("big", 1));
  EXPECT_EQ(cache.size_bytes(), 0u);
}

}  // namespace
}  // namespace kefir
