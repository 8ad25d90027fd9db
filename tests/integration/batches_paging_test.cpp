// Cursor pagination of GET /batches (SPEC §1): every batch exactly once, newest first, whatever the page
// size; stable while batches are added; filters keep their cursor; cursors are bound to their query.
#include <algorithm>
#include <set>

#include "batches_support.hpp"

namespace kefir::test {
namespace {

class BatchesPaging : public CoreApiTest {};

std::vector<std::string> ids_of(const std::vector<json::object>& batches) {
  std::vector<std::string> ids;
  for (const auto& batch : batches) ids.push_back(text(batch.at("batchId")));
  return ids;
}

TEST_F(BatchesPaging, TwoHundredFiftyBatchesByPagesOf100And7AreEachListedOnceNewestFirst) {
  auto user = sign_in_user("paging");
  std::vector<std::string> created;
  for (int i = 0; i < 250; ++i)
    created.push_back(text(create_batch(user.api, {{"name", "batch " + std::to_string(i)}}).at("batchId")));
  std::vector<std::string> newest_first(created.rbegin(), created.rend());

  for (int limit : {100, 7}) {
    auto listed = ids_of(list_all(user.api, "/batches", "batches", limit));
    EXPECT_EQ(listed.size(), 250u) << "limit " << limit;
    EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()).size(), listed.size()) << "duplicates";
    EXPECT_EQ(listed, newest_first) << "limit " << limit;
  }
  // Default page size is 50.
  auto first = user.api.get("/batches");
  EXPECT_EQ(first.json().at("count"), 50);
  EXPECT_FALSE(first.json().at("nextCursor").is_null());
}

TEST_F(BatchesPaging, AFullLastPageHasNoNextCursor) {
  auto user = sign_in_user("paging");
  for (int i = 0; i < 4; ++i) create_batch(user.api);
  auto page = user.api.get("/batches?limit=4");
  EXPECT_EQ(page.json().at("count"), 4);
  EXPECT_TRUE(page.json().at("nextCursor").is_null());
  auto first = user.api.get("/batches?limit=2").json();
  auto second = user.api.get("/batches?limit=2&cursor=" + text(first.at("nextCursor"))).json();
  EXPECT_EQ(second.at("count"), 2);
  EXPECT_TRUE(second.at("nextCursor").is_null());
}

TEST_F(BatchesPaging, PagesStayStableWhileBatchesAreAdded) {
  auto user = sign_in_user("paging");
  std::vector<std::string> created;
  for (int i = 0; i < 10; ++i) created.push_back(text(create_batch(user.api).at("batchId")));
  auto first = user.api.get("/batches?limit=4").json();
  std::vector<std::string> seen;
  for (const auto& batch : first.at("batches").as_array()) seen.push_back(text(batch.at("batchId")));
  // New batches sort before the cursor (newest first): the remaining pages neither repeat nor skip anything.
  for (int i = 0; i < 5; ++i) create_batch(user.api);
  std::string cursor = text(first.at("nextCursor"));
  while (!cursor.empty()) {
    auto page = user.api.get("/batches?limit=4&cursor=" + cursor).json();
    for (const auto& batch : page.at("batches").as_array()) seen.push_back(text(batch.at("batchId")));
    cursor = page.at("nextCursor").is_null() ? "" : text(page.at("nextCursor"));
  }
  EXPECT_EQ(seen, std::vector<std::string>(created.rbegin(), created.rend()));
}

TEST_F(BatchesPaging, FilteredListsPageThroughOnlyMatchingBatches) {
  auto user = sign_in_user("paging");
  std::vector<std::string> ready;
  for (int i = 0; i < 30; ++i) {
    bool is_ready = i % 4 == 0;
    auto batch = create_batch(user.api, {{"status", is_ready ? "ready" : "active"}});
    if (is_ready) ready.push_back(text(batch.at("batchId")));
  }
  auto listed = ids_of(list_all(user.api, "/batches?status=ready", "batches", 3));
  EXPECT_EQ(listed, std::vector<std::string>(ready.rbegin(), ready.rend()));
  EXPECT_EQ(list_all(user.api, "/batches?status=active", "batches", 5).size(), 30u - ready.size());
  EXPECT_TRUE(list_all(user.api, "/batches?status=archived", "batches", 5).empty());
}

TEST_F(BatchesPaging, ACursorOnlyWorksForItsOwnQuery) {
  auto user = sign_in_user("paging");
  for (int i = 0; i < 5; ++i) create_batch(user.api, {{"status", "ready"}});
  auto cursor = text(user.api.get("/batches?limit=2").json().at("nextCursor"));
  EXPECT_EQ(user.api.get("/batches?limit=2&cursor=" + cursor).status, 200);
  // Another filter, or the same cursor on the events list, is refused rather than misread.
  EXPECT_EQ(problem_fields(user.api.get("/batches?status=ready&limit=2&cursor=" + cursor)),
            std::vector<std::string>{"cursor"});
  EXPECT_EQ(problem_fields(user.api.get("/batches?stage=stage1_open&limit=2&cursor=" + cursor)),
            std::vector<std::string>{"cursor"});
  auto batch_id = text(user.api.get("/batches?limit=1").json().at("batches").at(0).at("batchId"));
  EXPECT_EQ(problem_fields(user.api.get("/batches/" + batch_id + "/events?cursor=" + cursor)),
            std::vector<std::string>{"cursor"});
  // Any change to the cursor breaks its signature.
  for (std::size_t i : {std::size_t{0}, cursor.find('.') - 1, cursor.find('.') + 1, cursor.size() - 1})
    EXPECT_EQ(problem_fields(user.api.get("/batches?limit=2&cursor=" + tampered(cursor, i))),
              std::vector<std::string>{"cursor"})
        << "position " << i;
  // A different limit is fine: the cursor names a position, not a page size.
  EXPECT_EQ(user.api.get("/batches?limit=50&cursor=" + cursor).json().at("count"), 3);
}

}  // namespace
}  // namespace kefir::test
