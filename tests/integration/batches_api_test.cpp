// Every batch endpoint of SPEC §3 through a real server: the good path, each kind of bad input, the automatic
// timeline events, version/ETag/If-Match, archive and permanent delete.
#include <set>
#include <thread>

#include "batches_support.hpp"
#include "util/time.hpp"

namespace kefir::test {
namespace {

class BatchesApi : public CoreApiTest {
 protected:
  void SetUp() override { user_ = sign_in_user("batches"); }
  const ApiClient& api() const { return user_.api; }

  json::array events_of(const std::string& batch_id) {
    auto response = api().get("/batches/" + batch_id + "/events");
    EXPECT_EQ(response.status, 200) << response.body;
    return response.json().at("events").as_array();
  }

  User user_;
};

TimePoint system_now() {
  return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
}

TEST_F(BatchesApi, CreateAppliesDefaultsAndWritesTheStartedNote) {
  auto before = system_now();
  auto response =
      api().post("/batches", json::object{{"name", "Ginger water kefir"}, {"stage", "stage1_open"}});
  ASSERT_EQ(response.status, 201) << response.body;
  auto batch = response.json().at("batch").as_object();
  auto id = text(batch.at("batchId"));
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '7') << "batch ids are UUIDv7";
  EXPECT_EQ(text(batch.at("userId")), user_.user_id);
  EXPECT_EQ(batch.at("name"), "Ginger water kefir");
  EXPECT_EQ(batch.at("kind"), "water");
  EXPECT_EQ(batch.at("stage"), "stage1_open");
  EXPECT_EQ(batch.at("status"), "active");
  EXPECT_EQ(batch.at("isPublic"), false);
  EXPECT_EQ(batch.at("version"), 1);
  EXPECT_EQ(batch.at("photoKeys"), json::array{});
  EXPECT_TRUE(batch.at("archivedAt").is_null());
  EXPECT_TRUE(batch.at("stage2StartDate").is_null());
  auto start = *parse_rfc3339(text(batch.at("startDate")));
  EXPECT_GE(start, before - seconds(1));
  EXPECT_LE(start, system_now() + seconds(1));
  EXPECT_EQ(text(batch.at("startDate")), format_rfc3339(start)) << "UTC with milliseconds";
  EXPECT_EQ(response.header("etag"), "\"1\"");
  EXPECT_EQ(response.header("location"), "/batches/" + id);

  auto events = events_of(id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("type"), "note");
  EXPECT_EQ(events[0].at("description"), "Batch started");
  EXPECT_EQ(events[0].at("timestamp"), batch.at("startDate"));
}

TEST_F(BatchesApi, CreateKeepsEveryFieldAndNormalisesTimesToUtc) {
  json::object body{{"name", "Milk kefir #2"},
                    {"kind", "milk"},
                    {"stage", "stage2_bottled"},
                    {"status", "in_fridge"},
                    {"startDate", "2026-01-10T09:30:00+01:00"},
                    {"targetDuration", 48},
                    {"temperature", 22.5},
                    {"waterVolumeMl", 1000},
                    {"sugarType", "cane"},
                    {"sugarAmount", 60},
                    {"fruits", {"fig", "lemon"}},
                    {"bottleCount", 4},
                    {"bottleVolumeMl", 500},
                    {"stage2StartDate", "2026-01-12T10:00:00.5Z"},
                    {"stage2TargetDuration", 24},
                    {"notes", "from the old grains"},
                    {"isPublic", true},
                    {"publicNote", "Ask me for grains"}};
  auto batch = create_batch(api(), body);
  ASSERT_FALSE(batch.empty());
  for (const auto& [field, value] : body) {
    if (field == "startDate" || field == "stage2StartDate") continue;
    EXPECT_EQ(batch.at(field), value) << field;
  }
  EXPECT_EQ(batch.at("startDate"), "2026-01-10T08:30:00.000Z");
  EXPECT_EQ(batch.at("stage2StartDate"), "2026-01-12T10:00:00.500Z");
  auto fetched = api().get("/batches/" + text(batch.at("batchId")));
  ASSERT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.json().at("batch"), batch);
}

TEST_F(BatchesApi, CreateRejectsMissingOutOfRangeUnknownAndReadOnlyFields) {
  EXPECT_EQ(problem_fields(api().post("/batches", json::object{})),
            (std::vector<std::string>{"name", "stage"}));
  const std::vector<std::pair<std::string, json::value>> bad{
      {"name", ""},
      {"name", json::string(101, 'n')},
      {"kind", "tea"},
      {"stage", "stage3"},
      {"status", "finished"},
      {"startDate", "tomorrow"},
      {"targetDuration", 0},
      {"targetDuration", 721},
      {"temperature", 9.5},
      {"temperature", 41},
      {"waterVolumeMl", 0},
      {"waterVolumeMl", 100001},
      {"sugarType", json::string(51, 's')},
      {"sugarAmount", -1},
      {"sugarAmount", 1000.5},
      {"fruits", json::value(json::array(21, "fig"))},
      {"fruits", json::value(json::array{std::string(51, 'f')})},
      {"bottleCount", 201},
      {"bottleVolumeMl", 5001},
      {"stage2StartDate", 12},
      {"stage2TargetDuration", 721},
      {"notes", json::string(1001, 'x')},
      {"isPublic", "yes"},
      {"publicNote", json::string(501, 'p')},
      {"colour", "amber"},
      {"version", 7},
      {"photoKeys", json::value(json::array{})},
  };
  for (const auto& [field, value] : bad) {
    json::object body{{"name", "ok"}, {"stage", "stage1_open"}};
    body[field] = value;
    EXPECT_EQ(problem_fields(api().post("/batches", body)), std::vector<std::string>{field})
        << field << " = " << json::serialize(value);
  }
  // Several problems are reported together.
  auto fields =
      problem_fields(api().post("/batches", json::object{{"name", ""}, {"temperature", 5}, {"x", 1}}));
  EXPECT_EQ(std::set<std::string>(fields.begin(), fields.end()),
            (std::set<std::string>{"name", "stage", "temperature", "x"}));
  // Nothing was created by any of them.
  EXPECT_EQ(api().get("/batches").json().at("count"), 0);
}

TEST_F(BatchesApi, CreateRejectsBadJsonWrongMediaTypeAndHugeBodies) {
  auto bad_json = api().raw("POST", "/batches", "{\"name\": ", {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(error_code(bad_json), "BAD_JSON");
  auto not_object = api().raw("POST", "/batches", "[1,2]", {{"Content-Type", "application/json"}});
  EXPECT_EQ(not_object.status, 400);
  EXPECT_EQ(error_code(not_object), "BAD_JSON");
  auto text_body = api().raw("POST", "/batches", R"({"name":"a","stage":"stage1_open"})",
                             {{"Content-Type", "text/plain"}});
  EXPECT_EQ(text_body.status, 415);
  EXPECT_EQ(error_code(text_body), "UNSUPPORTED_MEDIA_TYPE");
  auto huge = api().post(
      "/batches",
      json::object{{"name", "a"}, {"stage", "stage1_open"}, {"notes", std::string(70 * 1024, 'x')}});
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(error_code(huge), "PAYLOAD_TOO_LARGE");
}

TEST_F(BatchesApi, GetAnswers404ForUnknownOrMalformedIds) {
  for (std::string id :
       {"0190a1b2-0000-7000-8000-000000000001", "not-a-uuid", "0190A1B2-0000-7000-8000-000000000001"}) {
    auto response = api().get("/batches/" + id);
    EXPECT_EQ(response.status, 404) << id;
    EXPECT_EQ(error_code(response), "NOT_FOUND");
  }
  auto batch = create_batch(api());
  auto response = api().get("/batches/" + text(batch.at("batchId")));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("etag"), "\"1\"");
}

TEST_F(BatchesApi, ListIsNewestFirstHidesArchivedAndFilters) {
  auto first = create_batch(api(), {{"name", "one"}});
  auto second = create_batch(api(), {{"name", "two"}, {"stage", "stage2_bottled"}});
  auto third = create_batch(api(), {{"name", "three"}, {"status", "ready"}});
  auto archived = create_batch(api(), {{"name", "old"}});
  ASSERT_EQ(api().del("/batches/" + text(archived.at("batchId"))).status, 200);

  auto names = [&](const std::string& query) {
    auto response = api().get("/batches" + query);
    EXPECT_EQ(response.status, 200) << query << response.body;
    std::vector<std::string> out;
    auto body = response.json();
    for (const auto& batch : body.at("batches").as_array()) out.push_back(text(batch.at("name")));
    EXPECT_EQ(response.json().at("count").to_number<std::size_t>(), out.size());
    EXPECT_TRUE(response.json().at("nextCursor").is_null());
    return out;
  };
  EXPECT_EQ(names(""), (std::vector<std::string>{"three", "two", "one"}));
  EXPECT_EQ(names("?status=&stage="), (std::vector<std::string>{"three", "two", "one"}));
  EXPECT_EQ(names("?status=archived"), std::vector<std::string>{"old"});
  EXPECT_EQ(names("?status=ready"), std::vector<std::string>{"three"});
  EXPECT_EQ(names("?status=active"), (std::vector<std::string>{"two", "one"}));
  EXPECT_EQ(names("?stage=stage2_bottled"), std::vector<std::string>{"two"});
  EXPECT_EQ(names("?stage=stage1_open&status=active"), std::vector<std::string>{"one"});
  EXPECT_TRUE(names("?status=in_fridge").empty());
}

TEST_F(BatchesApi, ListRejectsUnknownFiltersLimitsAndCursors) {
  create_batch(api());
  EXPECT_EQ(problem_fields(api().get("/batches?status=done")), std::vector<std::string>{"status"});
  EXPECT_EQ(problem_fields(api().get("/batches?stage=stage9")), std::vector<std::string>{"stage"});
  for (std::string limit : {"0", "101", "-3", "ten", "1.5"})
    EXPECT_EQ(problem_fields(api().get("/batches?limit=" + limit)), std::vector<std::string>{"limit"})
        << limit;
  EXPECT_EQ(problem_fields(api().get("/batches?cursor=not-a-cursor")), std::vector<std::string>{"cursor"});
  EXPECT_EQ(api().get("/batches?limit=1").status, 200);
  EXPECT_EQ(api().get("/batches?limit=100").status, 200);
}

TEST_F(BatchesApi, PatchAndPutArePartialUpdatesWhereNullClears) {
  auto batch = create_batch(api(), {{"temperature", 24}, {"notes", "first notes"}, {"fruits", {"fig"}}});
  auto id = text(batch.at("batchId"));
  for (const std::string verb : {"PATCH", "PUT"}) {
    auto response = verb == "PATCH" ? api().patch("/batches/" + id, json::object{{"temperature", 26}})
                                    : api().put("/batches/" + id, json::object{{"bottleCount", 6}});
    ASSERT_EQ(response.status, 200) << verb << response.body;
  }
  auto response = api().patch("/batches/" + id, json::object{{"notes", nullptr}, {"fruits", nullptr}});
  ASSERT_EQ(response.status, 200) << response.body;
  auto updated = response.json().at("batch").as_object();
  EXPECT_EQ(updated.at("temperature"), 26);
  EXPECT_EQ(updated.at("bottleCount"), 6);
  EXPECT_TRUE(updated.at("notes").is_null());
  EXPECT_EQ(updated.at("fruits"), json::array{});
  EXPECT_EQ(updated.at("name"), batch.at("name"));
  EXPECT_EQ(updated.at("version"), 4);
  EXPECT_EQ(response.header("etag"), "\"4\"");
  EXPECT_GT(*parse_rfc3339(text(updated.at("updatedAt"))),
            *parse_rfc3339(text(batch.at("updatedAt"))) - seconds(1));
  EXPECT_EQ(api().get("/batches/" + id).json().at("batch"), updated);

  // A body that changes nothing writes nothing.
  auto unchanged = api().patch("/batches/" + id, json::object{{"temperature", 26}});
  ASSERT_EQ(unchanged.status, 200);
  EXPECT_EQ(unchanged.json().at("batch").at("version"), 4);
  EXPECT_EQ(api().put("/batches/" + id, json::object{}).json().at("batch").at("version"), 4);
}

TEST_F(BatchesApi, UpdateRejectsBadInputAndUnknownBatches) {
  auto id = text(create_batch(api()).at("batchId"));
  EXPECT_EQ(problem_fields(api().patch("/batches/" + id, json::object{{"name", nullptr}})),
            std::vector<std::string>{"name"});
  EXPECT_EQ(problem_fields(api().patch("/batches/" + id, json::object{{"stage", nullptr}})),
            std::vector<std::string>{"stage"});
  EXPECT_EQ(problem_fields(api().put("/batches/" + id, json::object{{"temperature", 45}})),
            std::vector<std::string>{"temperature"});
  EXPECT_EQ(problem_fields(api().patch("/batches/" + id, json::object{{"tempreature", 20}})),
            std::vector<std::string>{"tempreature"});
  EXPECT_EQ(problem_fields(api().patch("/batches/" + id, json::object{{"batchId", id}})),
            std::vector<std::string>{"batchId"});
  auto bad_json = api().raw("PATCH", "/batches/" + id, "{nope}", {{"Content-Type", "application/json"}});
  EXPECT_EQ(error_code(bad_json), "BAD_JSON");
  EXPECT_EQ(api().get("/batches/" + id).json().at("batch").at("version"), 1);
  for (const std::string verb : {"PATCH", "PUT"})
    EXPECT_EQ(api()
                  .raw(verb, "/batches/0190a1b2-0000-7000-8000-00000000abcd", R"({"name":"x"})",
                       {{"Content-Type", "application/json"}})
                  .status,
              404);
}

TEST_F(BatchesApi, StageChangeWritesAnEventAndStartsTheSecondFermentation) {
  auto id = text(create_batch(api()).at("batchId"));
  auto before = system_now();
  auto response = api().patch("/batches/" + id, json::object{{"stage", "stage2_bottled"}});
  ASSERT_EQ(response.status, 200) << response.body;
  auto batch = response.json().at("batch").as_object();
  auto stage2 = *parse_rfc3339(text(batch.at("stage2StartDate")));
  EXPECT_GE(stage2, before - seconds(1));
  EXPECT_LE(stage2, system_now() + seconds(1));
  auto events = events_of(id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].at("type"), "stage_change");
  EXPECT_EQ(events[1].at("metadata"), (json::object{{"from", "stage1_open"}, {"to", "stage2_bottled"}}));

  // With an explicit date, that date is kept.
  auto other = text(create_batch(api()).at("batchId"));
  auto explicit_date =
      api().patch("/batches/" + other,
                  json::object{{"stage", "stage2_bottled"}, {"stage2StartDate", "2026-02-01T08:00:00Z"}});
  EXPECT_EQ(explicit_date.json().at("batch").at("stage2StartDate"), "2026-02-01T08:00:00.000Z");
}

TEST_F(BatchesApi, StatusChangeWritesAnEvent) {
  auto id = text(create_batch(api()).at("batchId"));
  ASSERT_EQ(api().put("/batches/" + id, json::object{{"status", "in_fridge"}}).status, 200);
  ASSERT_EQ(api().put("/batches/" + id, json::object{{"notes", "tasty"}}).status, 200);
  auto events = events_of(id);
  ASSERT_EQ(events.size(), 2u) << "a notes change writes no event";
  EXPECT_EQ(events[1].at("type"), "status_change");
  EXPECT_EQ(events[1].at("metadata"), (json::object{{"from", "active"}, {"to", "in_fridge"}}));
}

TEST_F(BatchesApi, IfMatchMakesWritesConditional) {
  auto id = text(create_batch(api()).at("batchId"));
  auto path = "/batches/" + id;
  auto ok = api().patch(path, json::object{{"name", "v2"}}, {{"If-Match", "\"1\""}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.header("etag"), "\"2\"");

  auto stale = api().patch(path, json::object{{"name", "lost"}}, {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(error_code(stale), "PRECONDITION_FAILED");
  EXPECT_EQ(api().put(path, json::object{{"name", "lost"}}, {{"If-Match", "W/\"2\""}}).status, 412);
  EXPECT_EQ(api().del(path, {{"If-Match", "\"1\""}}).status, 412);
  EXPECT_EQ(api().del(path + "?permanent=true", {{"If-Match", "\"7\""}}).status, 412);
  auto current = api().get(path).json().at("batch");
  EXPECT_EQ(current.at("name"), "v2");
  EXPECT_EQ(current.at("status"), "active");

  EXPECT_EQ(api().put(path, json::object{{"name", "v3"}}, {{"If-Match", "*"}}).status, 200);
  EXPECT_EQ(api().put(path, json::object{{"name", "v4"}}, {{"If-Match", "\"1\", \"3\""}}).status, 200);
  auto archived = api().del(path, {{"If-Match", "\"4\""}});
  EXPECT_EQ(archived.status, 200);
  EXPECT_EQ(archived.header("etag"), "\"5\"");
  EXPECT_EQ(api().del(path + "?permanent=true", {{"If-Match", "\"5\""}}).status, 204);
}

TEST_F(BatchesApi, ConcurrentUpdatesWithoutIfMatchAreNeverLost) {
  auto id = text(create_batch(api()).at("batchId"));
  const std::vector<std::pair<std::string, json::value>> changes = {
      {"temperature", 21}, {"waterVolumeMl", 900},  {"sugarType", "cane"}, {"sugarAmount", 50},
      {"bottleCount", 3},  {"bottleVolumeMl", 750}, {"notes", "n"},        {"publicNote", "p"}};
  std::vector<std::thread> threads;
  std::vector<long> statuses(changes.size());
  for (std::size_t i = 0; i < changes.size(); ++i)
    threads.emplace_back([&, i] {
      statuses[i] = api().patch("/batches/" + id, json::object{{changes[i].first, changes[i].second}}).status;
    });
  for (auto& thread : threads) thread.join();
  for (auto status : statuses) EXPECT_EQ(status, 200);
  auto batch = api().get("/batches/" + id).json().at("batch").as_object();
  for (const auto& [field, value] : changes) EXPECT_EQ(batch.at(field), value) << field;
  EXPECT_EQ(batch.at("version"), static_cast<std::int64_t>(changes.size() + 1));
}

TEST_F(BatchesApi, DeleteArchivesAndArchivedBatchesAreListedOnlyOnRequest) {
  auto id = text(create_batch(api()).at("batchId"));
  auto response = api().del("/batches/" + id);
  ASSERT_EQ(response.status, 200) << response.body;
  auto batch = response.json().at("batch").as_object();
  EXPECT_EQ(batch.at("status"), "archived");
  EXPECT_FALSE(batch.at("archivedAt").is_null());
  EXPECT_EQ(batch.at("version"), 2);
  auto events = events_of(id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].at("type"), "status_change");

  auto again = api().del("/batches/" + id + "?permanent=false");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.json().at("batch").at("version"), 2) << "archiving twice changes nothing";
  EXPECT_EQ(api().get("/batches").json().at("count"), 0);
  EXPECT_EQ(api().get("/batches?status=archived").json().at("count"), 1);
  EXPECT_EQ(api().get("/batches/" + id).status, 200);

  // Restoring clears archivedAt.
  auto restored = api().patch("/batches/" + id, json::object{{"status", "active"}});
  EXPECT_TRUE(restored.json().at("batch").at("archivedAt").is_null());
  EXPECT_EQ(api().get("/batches").json().at("count"), 1);
}

TEST_F(BatchesApi, PermanentDeleteRemovesTheBatchAndItsEvents) {
  auto id = text(create_batch(api()).at("batchId"));
  ASSERT_EQ(api().post("/batches/" + id + "/events", json::object{{"type", "observation"}}).status, 201);
  EXPECT_EQ(problem_fields(api().del("/batches/" + id + "?permanent=yes")),
            std::vector<std::string>{"permanent"});
  auto response = api().del("/batches/" + id + "?permanent=true");
  EXPECT_EQ(response.status, 204);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(api().get("/batches/" + id).status, 404);
  EXPECT_EQ(api().get("/batches/" + id + "/events").status, 404);
  EXPECT_EQ(api().get("/batches?status=archived").json().at("count"), 0);
  EXPECT_EQ(api().del("/batches/" + id + "?permanent=true").status, 404);
  EXPECT_EQ(api().del("/batches/" + id).status, 404);
}

TEST_F(BatchesApi, EveryRouteNeedsAToken) {
  ApiClient anonymous(server().base_url());
  auto id = text(create_batch(api()).at("batchId"));
  EXPECT_EQ(anonymous.get("/batches").status, 401);
  EXPECT_EQ(anonymous.post("/batches", json::object{{"name", "x"}, {"stage", "stage1_open"}}).status, 401);
  EXPECT_EQ(anonymous.get("/batches/" + id).status, 401);
  EXPECT_EQ(anonymous.patch("/batches/" + id, json::object{}).status, 401);
  EXPECT_EQ(anonymous.put("/batches/" + id, json::object{}).status, 401);
  EXPECT_EQ(anonymous.del("/batches/" + id).status, 401);
  EXPECT_EQ(api().get("/batches/" + id).json().at("batch").at("version"), 1);
}

}  // namespace
}  // namespace kefir::test
