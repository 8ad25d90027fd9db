// WatermelonDB's sync protocol over HTTP, on both stores (issue 17): GET /sync/watermelon?last_pulled_at=
// pulls {changes, timestamp} with raw records, POST /sync/watermelon pushes the same shape through POST
// /sync's path. Two clients end with the same state; a conflict carries the server's raw record; a position
// whose entries expired is 410; a position that is not a sequence of this account is 400.
#include <gtest/gtest.h>

#include <map>

#include "domain/keys.hpp"
#include "integration/on_each_store.hpp"
#include "integration/sync_support.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"

namespace kefir::test {
namespace {

const std::vector<std::string> kTables = {"batches", "events", "reminders", "devices", "photos", "readings"};

std::uint64_t timestamp_of(const HttpResponse& response) {
  return response.json().at("timestamp").to_number<std::uint64_t>();
}

HttpResponse pull_at(const ApiClient& api, std::uint64_t last_pulled_at) {
  return api.get("/sync/watermelon?last_pulled_at=" + std::to_string(last_pulled_at));
}

HttpResponse push_at(const ApiClient& api, std::uint64_t last_pulled_at, const json::object& changes,
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
  return api.post("/sync/watermelon?last_pulled_at=" + std::to_string(last_pulled_at), changes,
                  std::move(headers));
}

// A WatermelonDB database as synchronize() keeps it: raw records by table and id, and the last `timestamp`.
struct WatermelonClient {
  std::map<std::string, std::map<std::string, json::object>> tables;
  std::uint64_t last_pulled_at = 0;

  void pull(const ApiClient& api) {
    auto response = pull_at(api, last_pulled_at);
    ASSERT_EQ(response.status, 200) << response.body;
    const auto body = response.json();
    const auto& changes = body.at("changes");
    for (const auto& table : kTables) {
      for (const char* which : {"created", "updated"})
        for (const auto& raw : changes.at(table).at(which).as_array())
          tables[table][text(raw.at("id"))] = raw.as_object();
      for (const auto& id : changes.at(table).at("deleted").as_array()) {
        tables[table].erase(text(id));
        if (table != "batches") continue;
        for (const char* child : {"events", "reminders", "photos"})
          std::erase_if(tables[child], [&](const auto& entry) { return entry.second.at("batch_id") == id; });
      }
    }
    last_pulled_at = timestamp_of(response);
  }
  // Readable in a failure message: one line per record.
  std::string dump() const {
    std::string out;
    for (const auto& [table, records] : tables)
      for (const auto& [id, raw] : records) out += table + " " + json::serialize(raw) + "\n";
    return out;
  }
};

class SyncWatermelon : public OnEachStoreTest {};

TEST_P(SyncWatermelon, TwoClientsPullAndPushToTheSameState) {
  auto user = sign_in_user("melon");
  auto shared = text(create_batch(user.api, {{"name", "Shared"}}).at("batchId"));
  auto laptops = text(create_batch(user.api, {{"name", "Laptop's"}}).at("batchId"));
  auto device = user.api.post(
      "/me/devices",
      {{"deviceId", "old-phone"}, {"platform", "android"}, {"token", "ExponentPushToken[old-phone]"}});
  ASSERT_TRUE(device.status == 200 || device.status == 201) << device.body;

  WatermelonClient phone, laptop;
  phone.pull(user.api);
  laptop.pull(user.api);
  ASSERT_EQ(phone.tables["batches"].size(), 2u);
  const auto& pulled = phone.tables["batches"].at(shared);
  EXPECT_EQ(pulled.at("name"), "Shared");
  EXPECT_TRUE(pulled.contains("start_date") && pulled.contains("created_at") && !pulled.contains("batchId"))
      << "raw columns in snake_case: " << json::serialize(pulled);
  EXPECT_EQ(pulled.at("fruits"), "[]") << "arrays as JSON text";
  EXPECT_GT(phone.last_pulled_at, 0u);

  // The phone, offline: a new batch with an event, a rename, a device removed; as WatermelonDB pushes them,
  // with its bookkeeping columns and every table listed.
  UuidV7Generator batch_ids;
  auto made_offline = batch_ids.next(epoch_millis(
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now())));
  auto offline_note = uuid_v4();
  json::object made{{"id", made_offline},
                    {"name", "Made offline"},
                    {"stage", "stage1_open"},
                    {"water_volume_ml", 1800},
                    {"fruits", R"(["ginger","lemon"])"},
                    {"_status", "created"},
                    {"_changed", ""}};
  json::object renamed{
      {"id", shared}, {"name", "Shared, renamed"}, {"_status", "updated"}, {"_changed", "name"}};
  json::object note{{"id", offline_note},
                    {"batch_id", made_offline},
                    {"type", "observation"},
                    {"timestamp", "2026-03-01T10:00:00.000Z"},
                    {"description", "offline"}};
  auto table = [](json::array created, json::array updated, json::array deleted) {
    return json::object{
        {"created", std::move(created)}, {"updated", std::move(updated)}, {"deleted", std::move(deleted)}};
  };
  json::array gone;
  gone.emplace_back("old-phone");
  json::object phone_push{{"batches", table({made}, {renamed}, {})},
                          {"events", table({note}, {}, {})},
                          {"devices", table({}, {}, gone)},
                          {"photos", table({}, {}, {})}};
  // The laptop, meanwhile, online.
  auto laptop_push =
      push_at(user.api, laptop.last_pulled_at,
              {{"batches",
                {{"updated", json::array{{{"id", laptops}, {"notes", "topped up"}, {"temperature", 24}}}}}}});
  ASSERT_EQ(laptop_push.status, 200) << laptop_push.body;
  EXPECT_EQ(laptop_push.json().at("applied").to_number<int>(), 1);

  auto pushed = push_at(user.api, phone.last_pulled_at, phone_push);
  ASSERT_EQ(pushed.status, 200) << pushed.body << " (the laptop changed another record: no conflict)";
  EXPECT_EQ(pushed.json().at("applied").to_number<int>(), 4) << pushed.body;

  phone.pull(user.api);
  laptop.pull(user.api);
  WatermelonClient fresh;
  fresh.pull(user.api);
  EXPECT_EQ(phone.dump(), fresh.dump());
  EXPECT_EQ(laptop.dump(), fresh.dump());
  EXPECT_EQ(phone.last_pulled_at, fresh.last_pulled_at);
  const auto& made_raw = fresh.tables["batches"].at(made_offline);
  EXPECT_EQ(made_raw.at("fruits"), R"(["ginger","lemon"])");
  EXPECT_EQ(made_raw.at("water_volume_ml"), 1800);
  EXPECT_EQ(fresh.tables["batches"].at(shared).at("name"), "Shared, renamed");
  EXPECT_EQ(fresh.tables["batches"].at(laptops).at("notes"), "topped up");
  EXPECT_EQ(text(fresh.tables["events"].at(offline_note).at("batch_id")), made_offline);
  EXPECT_TRUE(fresh.tables["devices"].empty());

  // Nothing changed since: an empty pull that keeps the timestamp.
  auto nothing = pull_at(user.api, fresh.last_pulled_at);
  ASSERT_EQ(nothing.status, 200) << nothing.body;
  EXPECT_EQ(timestamp_of(nothing), fresh.last_pulled_at);
  for (const auto& table : kTables)
    for (const char* which : {"created", "updated", "deleted"})
      EXPECT_TRUE(nothing.json().at("changes").at(table).at(which).as_array().empty())
          << table << " " << which;
}

TEST_P(SyncWatermelon, AConflictListsTheServersRawRecordAndAppliesTheRest) {
  auto user = sign_in_user("melon");
  auto contested = text(create_batch(user.api, {{"name", "Contested"}}).at("batchId"));
  auto quiet = text(create_batch(user.api, {{"name", "Quiet"}}).at("batchId"));
  WatermelonClient phone;
  phone.pull(user.api);
  ASSERT_EQ(user.api.patch("/batches/" + contested, {{"name", "Renamed online"}}).status, 200);

  const json::object push{{"batches",
                           {{"updated", json::array{{{"id", contested}, {"name", "Renamed offline"}},
                                                    {{"id", quiet}, {"name", "Quiet, renamed"}}}}}}};
  auto pushed = push_at(user.api, phone.last_pulled_at, push, {{"Idempotency-Key", "melon-push-1"}});
  ASSERT_EQ(pushed.status, 409) << pushed.body;
  auto replayed = push_at(user.api, phone.last_pulled_at, push, {{"Idempotency-Key", "melon-push-1"}});
  EXPECT_EQ(replayed.status, 409);
  EXPECT_EQ(replayed.body, pushed.body) << "a retry with the same key gets the first answer";
  const auto server = only_conflict(pushed, "batches", contested);
  ASSERT_FALSE(server.empty());
  EXPECT_EQ(server.at("name"), "Renamed online") << "the server's version";
  EXPECT_TRUE(server.contains("start_date") && !server.contains("startDate")) << "as a raw record";
  EXPECT_EQ(pushed.json().at("applied").to_number<int>(), 1) << "the other record was applied";

  phone.pull(user.api);
  EXPECT_EQ(phone.tables["batches"].at(contested).at("name"), "Renamed online");
  EXPECT_EQ(phone.tables["batches"].at(quiet).at("name"), "Quiet, renamed");
}

TEST_P(SyncWatermelon, APositionWhoseChangesExpiredIsTooOld) {
  auto user = sign_in_user("melon");
  auto batch = text(create_batch(user.api).at("batchId"));
  WatermelonClient phone;
  phone.pull(user.api);
  const auto position = phone.last_pulled_at;
  ASSERT_EQ(user.api.patch("/batches/" + batch, {{"name", "Once"}}).status, 200);
  ASSERT_EQ(user.api.patch("/batches/" + batch, {{"name", "Twice"}}).status, 200);
  ASSERT_EQ(pull_at(user.api, position).status, 200) << "kept: still good";

  // The first entry after the position expires (its TTL), as after 35 days.
  open_store()->remove(keys::change_entry(user.user_id, position + 1));
  for (const auto& response :
       {pull_at(user.api, position),
        push_at(user.api, position,
                {{"batches", {{"updated", json::array{{{"id", batch}, {"notes", "x"}}}}}}})}) {
    EXPECT_EQ(response.status, 410) << response.body;
    EXPECT_EQ(error_code(response), "SYNC_TOO_OLD");
    EXPECT_NE(response.body.find("last_pulled_at=0"), std::string::npos) << "says how to start over";
  }
  auto everything = pull_at(user.api, 0);
  ASSERT_EQ(everything.status, 200) << everything.body;
  EXPECT_EQ(everything.json().at("changes").at("batches").at("created").at(0).at("name"), "Twice");
}

TEST_P(SyncWatermelon, APositionOrARecordThatIsNotValidIsA400NamingIt) {
  auto user = sign_in_user("melon");
  auto batch = text(create_batch(user.api).at("batchId"));
  WatermelonClient phone;
  phone.pull(user.api);
  for (const char* position : {"abc", "-1", "1.5", "18446744073709551616"})
    EXPECT_EQ(problem_fields(user.api.get(std::string("/sync/watermelon?last_pulled_at=") + position)),
              std::vector<std::string>{"last_pulled_at"})
        << position;
  EXPECT_EQ(problem_fields(pull_at(user.api, phone.last_pulled_at + 1)),
            std::vector<std::string>{"last_pulled_at"})
      << "ahead of the account's changes";
  EXPECT_EQ(problem_fields(push_at(user.api, phone.last_pulled_at + 1, json::object{})),
            std::vector<std::string>{"last_pulled_at"});
  EXPECT_EQ(user.api.get("/sync/watermelon?last_pulled_at=null").status, 200) << "WatermelonDB's first sync";

  auto update = [&](json::object raw) {
    raw["id"] = batch;
    return push_at(user.api, phone.last_pulled_at, {{"batches", {{"updated", json::array{std::move(raw)}}}}});
  };
  EXPECT_EQ(problem_fields(update({{"stage2_start_date", "yesterday"}})),
            std::vector<std::string>{"batches.updated[0].stage2_start_date"});
  EXPECT_EQ(problem_fields(update({{"created_at", "2026-01-01T00:00:00.000Z"}})),
            std::vector<std::string>{"batches.updated[0].created_at"})
      << "read-only server columns are not accepted";
  EXPECT_EQ(problem_fields(update({{"fruits", "not json"}})),
            std::vector<std::string>{"batches.updated[0].fruits"});
  EXPECT_EQ(problem_fields(push_at(user.api, phone.last_pulled_at,
                                   {{"photos", {{"created", json::array{{{"id", "p1"}}}}}}})),
            std::vector<std::string>{"photos"});
  EXPECT_EQ(list_all(user.api, "/batches", "batches", 10).at(0).at("name"), "Test batch")
      << "nothing applied";
}

INSTANTIATE_TEST_SUITE_P(OnEachStore, SyncWatermelon, ::testing::Values("sqlite", "dynamodb"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace kefir::test
