// Timeline endpoints of SPEC §4 through a real server: add (defaults, every kind of bad input), list by
// timestamp in both orders with cursors, delete, and 404s for unknown batches and events.
#include <set>

#include "batches_support.hpp"
#include "util/time.hpp"

namespace kefir::test {
namespace {

class EventsApi : public CoreApiTest {
 protected:
  void SetUp() override {
    user_ = sign_in_user("events");
    batch_id_ = text(create_batch(api()).at("batchId"));
  }
  const ApiClient& api() const { return user_.api; }
  std::string events_path() const { return "/batches/" + batch_id_ + "/events"; }

  HttpResponse post_event(const json::object& body) { return api().post(events_path(), body); }
  json::object add(const json::object& body) {
    auto response = post_event(body);
    EXPECT_EQ(response.status, 201) << response.body;
    return response.status == 201 ? response.json().at("event").as_object() : json::object{};
  }

  User user_;
  std::string batch_id_;
};

TEST_F(EventsApi, AddKeepsEveryFieldAndDefaultsTheTimestampToNow) {
  auto before = std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  auto event =
      add({{"type", "measurement"},
           {"description", "Tasting after a day"},
           {"metadata", {{"temperatureC", 23.5}, {"ph", 3.6}, {"brix", 5}, {"specificGravity", 1.01}}}});
  EXPECT_EQ(text(event.at("eventId")).size(), 36u);
  EXPECT_EQ(text(event.at("eventId"))[14], '4') << "event ids are UUIDv4";
  EXPECT_EQ(text(event.at("batchId")), batch_id_);
  EXPECT_EQ(event.at("type"), "measurement");
  EXPECT_EQ(event.at("description"), "Tasting after a day");
  EXPECT_EQ(event.at("metadata").at("ph"), 3.6);
  EXPECT_TRUE(event.at("photoKey").is_null());
  auto timestamp = *parse_rfc3339(text(event.at("timestamp")));
  EXPECT_GE(timestamp, before - seconds(1));
  EXPECT_EQ(event.at("timestamp"), event.at("createdAt"));

  auto past = add({{"type", "observation"}, {"timestamp", "2025-12-24T18:00:00-03:00"}});
  EXPECT_EQ(past.at("timestamp"), "2025-12-24T21:00:00.000Z");
  EXPECT_EQ(past.at("description"), "");
  EXPECT_EQ(past.at("metadata"), json::object{});
}

TEST_F(EventsApi, AddRejectsEveryKindOfBadInput) {
  auto fields = [&](json::object body) { return problem_fields(post_event(body)); };
  using Fields = std::vector<std::string>;
  EXPECT_EQ(fields({}), Fields{"type"});
  EXPECT_EQ(fields({{"type", "party"}}), Fields{"type"});
  EXPECT_EQ(fields({{"type", "note"}, {"description", std::string(1001, 'd')}}), Fields{"description"});
  EXPECT_EQ(fields({{"type", "note"}, {"timestamp", "noon"}}), Fields{"timestamp"});
  EXPECT_EQ(fields({{"type", "note"}, {"metadata", "text"}}), Fields{"metadata"});
  EXPECT_EQ(fields({{"type", "note"}, {"metadata", {{"big", std::string(4100, 'x')}}}}), Fields{"metadata"});
  EXPECT_EQ(fields({{"type", "note"}, {"metadata", json::parse(R"({"a":{"b":{"c":{"d":1}}}})")}}),
            Fields{"metadata"});
  EXPECT_EQ(fields({{"type", "measurement"}, {"metadata", {{"ph", "sour"}}}}), Fields{"metadata.ph"});
  EXPECT_EQ(fields({{"type", "measurement"}, {"metadata", {{"temperatureC", true}}}}),
            Fields{"metadata.temperatureC"});
  EXPECT_EQ(fields({{"type", "note"}, {"colour", "amber"}}), Fields{"colour"});
  // A photo must be one of this batch's photos.
  EXPECT_EQ(fields({{"type", "photo_added"}, {"photoKey", "users/x/batches/y/z.jpg"}}), Fields{"photoKey"});

  auto bad_json = api().raw("POST", events_path(), "{\"type\":", {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(error_code(bad_json), "BAD_JSON");
  EXPECT_EQ(api().raw("POST", events_path(), R"({"type":"note"})", {{"Content-Type", "text/xml"}}).status,
            415);
  // Only the automatic "Batch started" note is there.
  EXPECT_EQ(api().get(events_path()).json().at("count"), 1);
}

TEST_F(EventsApi, ListIsATimelineOrderedByTimestamp) {
  add({{"type", "note"}, {"description", "c"}, {"timestamp", "2030-01-03T00:00:00Z"}});
  add({{"type", "note"}, {"description", "a"}, {"timestamp", "2030-01-01T00:00:00Z"}});
  add({{"type", "note"}, {"description", "b"}, {"timestamp", "2030-01-02T00:00:00Z"}});
  auto descriptions = [&](const std::string& query, int limit) {
    std::vector<std::string> out;
    for (const auto& event : list_all(api(), events_path() + query, "events", limit))
      out.push_back(text(event.at("description")));
    return out;
  };
  using Texts = std::vector<std::string>;
  EXPECT_EQ(descriptions("", 50), (Texts{"Batch started", "a", "b", "c"}));
  EXPECT_EQ(descriptions("?order=asc", 1), (Texts{"Batch started", "a", "b", "c"}));
  EXPECT_EQ(descriptions("?order=desc", 3), (Texts{"c", "b", "a", "Batch started"}));
  EXPECT_EQ(descriptions("?order=desc", 2), (Texts{"c", "b", "a", "Batch started"}));
}

TEST_F(EventsApi, ListRejectsBadOrderLimitAndCursors) {
  for (int i = 0; i < 3; ++i) add({{"type", "observation"}});
  using Fields = std::vector<std::string>;
  EXPECT_EQ(problem_fields(api().get(events_path() + "?order=newest")), Fields{"order"});
  EXPECT_EQ(problem_fields(api().get(events_path() + "?limit=0")), Fields{"limit"});
  EXPECT_EQ(problem_fields(api().get(events_path() + "?limit=101")), Fields{"limit"});
  EXPECT_EQ(problem_fields(api().get(events_path() + "?cursor=abc.def")), Fields{"cursor"});
  auto ascending = api().get(events_path() + "?limit=2").json();
  auto cursor = text(ascending.at("nextCursor"));
  EXPECT_EQ(api().get(events_path() + "?limit=2&cursor=" + cursor).status, 200);
  // The cursor of the ascending timeline is not one of the descending one, nor of another batch.
  EXPECT_EQ(problem_fields(api().get(events_path() + "?order=desc&limit=2&cursor=" + cursor)),
            Fields{"cursor"});
  auto other = text(create_batch(api()).at("batchId"));
  EXPECT_EQ(problem_fields(api().get("/batches/" + other + "/events?limit=2&cursor=" + cursor)),
            Fields{"cursor"});
  EXPECT_EQ(problem_fields(api().get(events_path() + "?limit=2&cursor=" + tampered(cursor, 3))),
            Fields{"cursor"});
}

TEST_F(EventsApi, DeleteRemovesOneEvent) {
  auto keep = add({{"type", "observation"}, {"description", "keep"}});
  auto drop = add({{"type", "observation"}, {"description", "drop"}});
  auto path = events_path() + "/" + text(drop.at("eventId"));
  auto response = api().del(path);
  EXPECT_EQ(response.status, 204);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(api().del(path).status, 404);
  std::set<std::string> left;
  for (const auto& event : list_all(api(), events_path(), "events", 10))
    left.insert(text(event.at("description")));
  EXPECT_EQ(left, (std::set<std::string>{"Batch started", "keep"}));
  EXPECT_EQ(api().del(events_path() + "/3f2a7c1e-6a43-4d5b-9a55-0c4f6e3c9d10").status, 404);
  EXPECT_EQ(api().del(events_path() + "/not-an-id").status, 404);
  // The event id of one batch under another batch's path is not found either.
  auto other = text(create_batch(api()).at("batchId"));
  EXPECT_EQ(api().del("/batches/" + other + "/events/" + text(keep.at("eventId"))).status, 404);
}

TEST_F(EventsApi, UnknownBatchesAre404OnEveryRoute) {
  const std::string path = "/batches/0190a1b2-0000-7000-8000-0000000000ff/events";
  EXPECT_EQ(api().post(path, json::object{{"type", "note"}}).status, 404);
  EXPECT_EQ(api().get(path).status, 404);
  EXPECT_EQ(api().del(path + "/3f2a7c1e-6a43-4d5b-9a55-0c4f6e3c9d10").status, 404);
  EXPECT_EQ(api().get("/batches/nope/events").status, 404);
}

TEST_F(EventsApi, EventsCanBeAddedToArchivedBatchesButNotToDeletedOnes) {
  ASSERT_EQ(api().del("/batches/" + batch_id_).status, 200);
  EXPECT_EQ(post_event({{"type", "note"}, {"description", "after archiving"}}).status, 201);
  ASSERT_EQ(api().del("/batches/" + batch_id_ + "?permanent=true").status, 204);
  EXPECT_EQ(post_event({{"type", "note"}}).status, 404);
}

}  // namespace
}  // namespace kefir::test
