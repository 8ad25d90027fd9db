// DELETE /me (SPEC §2) removes the account's batches, their timelines, its devices and their push-token
// claims, and nothing of anyone else's: checked in the SQLite file itself once the server has stopped.
#include "adapters/sqlite/sqlite_item_store.hpp"
#include "batches_support.hpp"
#include "domain/keys.hpp"

namespace kefir::test {
namespace {

std::size_t count_items(store::ItemStore& store, const std::string& partition, const std::string& prefix) {
  store::Query query;
  query.partition = partition;
  if (!prefix.empty()) query.sort = {store::SortOp::begins_with, prefix, {}};
  return store.query(query).items.size();
}

json::object device(const std::string& id, const std::string& token) {
  return {{"deviceId", id}, {"platform", "android"}, {"token", token}};
}

TEST(AccountDeletion, RemovesBatchesEventsDevicesAndTokenClaims) {
  ServerProcess server;
  auto leaving_login = sign_in(server, unique_email("leaving"));
  auto staying_login = sign_in(server, unique_email("staying"));
  ApiClient leaving(server.base_url(), leaving_login.access_token);
  ApiClient staying(server.base_url(), staying_login.access_token);

  // More batches than one transaction holds, each with a timeline, plus an archived one.
  std::vector<std::string> gone;
  for (int i = 0; i < 30; ++i) {
    gone.push_back(text(create_batch(leaving).at("batchId")));
    ASSERT_EQ(leaving.post("/batches/" + gone.back() + "/events", json::object{{"type", "note"}}).status,
              201);
  }
  ASSERT_EQ(leaving.del("/batches/" + gone.front()).status, 200);
  ASSERT_EQ(leaving.post("/me/devices", device("p1", "ExponentPushToken[leaving-1]")).status, 201);
  ASSERT_EQ(leaving.post("/me/devices", device("p2", "ExponentPushToken[leaving-2]")).status, 201);
  auto kept = text(create_batch(staying).at("batchId"));
  ASSERT_EQ(staying.post("/me/devices", device("p1", "ExponentPushToken[staying-1]")).status, 201);

  ASSERT_EQ(leaving.del("/me").status, 204);
  EXPECT_EQ(staying.get("/batches/" + kept).status, 200);
  ASSERT_EQ(server.terminate(), 0);

  SystemClock clock;
  store::SqliteItemStore store(server.data_dir() + "/kefir.db", clock);
  const auto leaving_pk = keys::user_pk(leaving_login.user_id);
  EXPECT_EQ(count_items(store, leaving_pk, std::string(keys::kBatchPrefix)), 0u);
  EXPECT_EQ(count_items(store, leaving_pk, std::string(keys::kDevicePrefix)), 0u);
  for (const auto& id : gone) EXPECT_EQ(count_items(store, keys::events_pk(id), ""), 0u) << id;
  EXPECT_FALSE(store.get(keys::push_token_claim("ExponentPushToken[leaving-1]")));
  EXPECT_FALSE(store.get(keys::push_token_claim("ExponentPushToken[leaving-2]")));

  const auto staying_pk = keys::user_pk(staying_login.user_id);
  EXPECT_EQ(count_items(store, staying_pk, std::string(keys::kBatchPrefix)), 1u);
  EXPECT_EQ(count_items(store, keys::events_pk(kept), std::string(keys::kEventPrefix)), 1u);
  EXPECT_EQ(count_items(store, staying_pk, std::string(keys::kDevicePrefix)), 1u);
  auto claim = store.get(keys::push_token_claim("ExponentPushToken[staying-1]"));
  ASSERT_TRUE(claim);
  EXPECT_EQ(json_string(*claim, "userId"), staying_login.user_id);
}

}  // namespace
}  // namespace kefir::test
