// Idempotency-Key on POSTs (SPEC §1) through a real server: a retry replays the first response without acting
// again, another body under the same key is a 409, keys are per user, bad keys are 400, and concurrent
// retries of one POST act exactly once.
#include <thread>

#include "batches_support.hpp"

namespace kefir::test {
namespace {

class IdempotencyApi : public CoreApiTest {
 protected:
  void SetUp() override { user_ = sign_in_user("idempotency"); }
  const ApiClient& api() const { return user_.api; }
  static json::object new_batch(const std::string& name) {
    return {{"name", name}, {"stage", "stage1_open"}};
  }
  std::size_t batch_count() {
    auto all = list_all(api(), "/batches", "batches", 100);
    return all.size();
  }

  User user_;
};

TEST_F(IdempotencyApi, ARetryReplaysTheFirstResponseWithoutActingAgain) {
  auto first = api().post("/batches", new_batch("once"), {{"Idempotency-Key", "create-once-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  auto retry = api().post("/batches", new_batch("once"), {{"Idempotency-Key", "create-once-1"}});
  EXPECT_EQ(retry.status, 201);
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(retry.header("etag"), first.header("etag"));
  EXPECT_EQ(retry.header("location"), first.header("location"));
  EXPECT_EQ(retry.header("idempotent-replayed"), "true");
  EXPECT_EQ(first.header("idempotent-replayed"), "");
  EXPECT_EQ(batch_count(), 1u);
  // The timeline got one "Batch started", not two.
  auto id = text(first.json().at("batch").at("batchId"));
  EXPECT_EQ(api().get("/batches/" + id + "/events").json().at("count"), 1);
}

TEST_F(IdempotencyApi, TheSameKeyWithAnotherRequestIsAConflict) {
  ASSERT_EQ(api().post("/batches", new_batch("a"), {{"Idempotency-Key", "k-1"}}).status, 201);
  auto other_body = api().post("/batches", new_batch("b"), {{"Idempotency-Key", "k-1"}});
  EXPECT_EQ(other_body.status, 409);
  EXPECT_EQ(error_code(other_body), "CONFLICT");
  EXPECT_EQ(other_body.header("retry-after"), "") << "a reused key is never worth retrying";
  auto batch_id = text(api().get("/batches").json().at("batches").at(0).at("batchId"));
  auto other_path = api().post("/batches/" + batch_id + "/events", json::object{{"type", "note"}},
                               {{"Idempotency-Key", "k-1"}});
  EXPECT_EQ(other_path.status, 409);
  EXPECT_EQ(batch_count(), 1u);
}

TEST_F(IdempotencyApi, KeysBelongToOneUser) {
  auto other = sign_in_user("idempotency-other");
  auto mine = api().post("/batches", new_batch("same"), {{"Idempotency-Key", "shared-key"}});
  auto theirs = other.api.post("/batches", new_batch("same"), {{"Idempotency-Key", "shared-key"}});
  ASSERT_EQ(mine.status, 201);
  ASSERT_EQ(theirs.status, 201);
  EXPECT_NE(mine.json().at("batch").at("batchId"), theirs.json().at("batch").at("batchId"));
  EXPECT_EQ(theirs.header("idempotent-replayed"), "");
  EXPECT_EQ(other.api.get("/batches").json().at("count"), 1);
}

TEST_F(IdempotencyApi, KeysMustBeOneTo128PrintableCharacters) {
  EXPECT_EQ(
      problem_fields(api().post("/batches", new_batch("x"), {{"Idempotency-Key", std::string(129, 'k')}})),
      std::vector<std::string>{"Idempotency-Key"});
  EXPECT_EQ(problem_fields(api().post("/batches", new_batch("x"), {{"Idempotency-Key", "caf\xc3\xa9"}})),
            std::vector<std::string>{"Idempotency-Key"});
  EXPECT_EQ(batch_count(), 0u);
  EXPECT_EQ(api().post("/batches", new_batch("x"), {{"Idempotency-Key", std::string(128, 'k')}}).status, 201);
  EXPECT_EQ(
      api().post("/batches", new_batch("y"), {{"Idempotency-Key", "a key with spaces & symbols #1"}}).status,
      201);
  EXPECT_EQ(batch_count(), 2u);
}

TEST_F(IdempotencyApi, AValidationErrorIsReplayedToo) {
  auto first = api().post("/batches", json::object{{"name", ""}}, {{"Idempotency-Key", "bad-1"}});
  EXPECT_EQ(first.status, 400);
  auto retry = api().post("/batches", json::object{{"name", ""}}, {{"Idempotency-Key", "bad-1"}});
  EXPECT_EQ(retry.status, 400);
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(retry.header("idempotent-replayed"), "true");
}

TEST_F(IdempotencyApi, EventAndDevicePostsAreIdempotentToo) {
  auto id = text(create_batch(api()).at("batchId"));
  json::object event{{"type", "observation"}, {"description", "bubbles"}};
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(api().post("/batches/" + id + "/events", event, {{"Idempotency-Key", "event-1"}}).status, 201);
  EXPECT_EQ(api().get("/batches/" + id + "/events").json().at("count"), 2);

  json::object device{{"deviceId", "d1"}, {"platform", "android"}, {"token", "ExpoPushToken[idem]"}};
  EXPECT_EQ(api().post("/me/devices", device, {{"Idempotency-Key", "device-1"}}).status, 201);
  // Replayed: still the first answer, 201, although an upsert would now say 200.
  EXPECT_EQ(api().post("/me/devices", device, {{"Idempotency-Key", "device-1"}}).status, 201);
  EXPECT_EQ(api().post("/me/devices", device).status, 200);
}

TEST_F(IdempotencyApi, ConcurrentRetriesOfOnePostActOnce) {
  constexpr int kThreads = 8;
  for (int round = 0; round < 3; ++round) {
    auto key = "concurrent-" + std::to_string(round);
    std::vector<HttpResponse> responses(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
      threads.emplace_back([&, i] {
        responses[i] = api().post("/batches", new_batch("concurrent " + std::to_string(round)),
                                  {{"Idempotency-Key", key}});
      });
    for (auto& thread : threads) thread.join();
    std::set<std::string> ids;
    for (const auto& response : responses) {
      ASSERT_EQ(response.status, 201) << response.body;
      ids.insert(text(response.json().at("batch").at("batchId")));
    }
    EXPECT_EQ(ids.size(), 1u) << "every retry got the one batch";
    EXPECT_EQ(batch_count(), static_cast<std::size_t>(round + 1)) << "exactly one batch per key";
  }
}

TEST_F(IdempotencyApi, RequestsWithoutAKeyAreNotDeduplicated) {
  EXPECT_EQ(api().post("/batches", new_batch("twice")).status, 201);
  EXPECT_EQ(api().post("/batches", new_batch("twice")).status, 201);
  EXPECT_EQ(batch_count(), 2u);
}

}  // namespace
}  // namespace kefir::test
