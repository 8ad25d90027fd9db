// Overlapping writes of one batch (SPEC §1): without If-Match the last writer wins and nobody gets an error,
// with no update lost; with If-Match exactly one writer of a version wins and the rest get 412.
#include <functional>
#include <future>
#include <map>
#include <set>

#include "integration/batches_support.hpp"

namespace kefir::test {
namespace {

constexpr int kWriters = 32;
const std::vector<std::string> kStatuses = {"active", "in_fridge", "ready"};

using Concurrency = CoreApiTest;

// Every writer's request is sent at once (after all are ready), each on its own connection.
std::vector<HttpResponse> patch_at_once(const User& user, const std::string& batch_id,
                                        const std::function<json::object(int)>& body_of,
                                        std::vector<std::pair<std::string, std::string>> headers = {}) {
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  std::vector<std::future<HttpResponse>> answers;
  for (int i = 0; i < kWriters; ++i)
    answers.push_back(std::async(std::launch::async, [&, i] {
      start.wait();
      return user.api.patch("/batches/" + batch_id, body_of(i), headers);
    }));
  go.set_value();
  std::vector<HttpResponse> out;
  for (auto& answer : answers) out.push_back(answer.get());
  return out;
}

TEST_F(Concurrency, UnconditionalPatchesAllSucceedAndNoneIsLost) {
  auto user = sign_in_user("concurrent");
  auto batch_id = text(create_batch(user.api).at("batchId"));
  auto answers = patch_at_once(user, batch_id, [](int i) {
    return json::object{{"name", "writer " + std::to_string(i)}, {"status", kStatuses[i % kStatuses.size()]}};
  });

  // Each writer's answer is the batch it wrote: 32 distinct versions 2..33 means 32 writes, each on top of
  // the one before, so none was overwritten unseen.
  std::map<std::int64_t, json::object> written;
  for (const auto& answer : answers) {
    ASSERT_EQ(answer.status, 200) << answer.body;
    auto batch = answer.json().at("batch").as_object();
    written.emplace(batch.at("version").to_number<std::int64_t>(), batch);
  }
  ASSERT_EQ(written.size(), static_cast<std::size_t>(kWriters));
  EXPECT_EQ(written.begin()->first, 2);
  EXPECT_EQ(written.rbegin()->first, kWriters + 1);
  std::set<std::string> names;
  for (const auto& [version, batch] : written) names.insert(text(batch.at("name")));
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kWriters)) << "every writer's change was applied";

  auto final_batch = user.api.get("/batches/" + batch_id).json().at("batch").as_object();
  EXPECT_EQ(final_batch.at("version").to_number<std::int64_t>(), kWriters + 1);
  EXPECT_EQ(text(final_batch.at("name")), text(written.rbegin()->second.at("name")));

  // The status changes the writes made, in version order, are exactly the timeline's status_change events.
  std::multiset<std::pair<std::string, std::string>> changes;
  std::string status = "active";
  for (const auto& [version, batch] : written) {
    auto next = text(batch.at("status"));
    if (next != status) changes.emplace(status, next);
    status = next;
  }
  std::multiset<std::pair<std::string, std::string>> events;
  for (const auto& event : list_all(user.api, "/batches/" + batch_id + "/events", "events", 100)) {
    if (event.at("type") != "status_change") continue;
    const auto& metadata = event.at("metadata").as_object();
    events.emplace(text(metadata.at("from")), text(metadata.at("to")));
  }
  EXPECT_FALSE(changes.empty());
  EXPECT_EQ(events, changes);
}

TEST_F(Concurrency, PatchesWithOneStaleIfMatchHaveExactlyOneWinner) {
  auto user = sign_in_user("conditional");
  auto batch_id = text(create_batch(user.api).at("batchId"));
  auto answers = patch_at_once(user, batch_id,
                               [](int i) {
                                 return json::object{{"name", "writer " + std::to_string(i)}};
                               },
                               {{"If-Match", "\"1\""}});
  int won = 0;
  int refused = 0;
  for (const auto& answer : answers) {
    if (answer.status == 200) ++won;
    if (answer.status == 412) {
      ++refused;
      EXPECT_EQ(error_code(answer), "PRECONDITION_FAILED");
    }
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(refused, kWriters - 1);
  EXPECT_EQ(user.api.get("/batches/" + batch_id).json().at("batch").at("version").to_number<std::int64_t>(),
            2);
}

TEST_F(Concurrency, IfMatchAcceptsAListOfTags) {
  auto user = sign_in_user("taglist");
  auto batch_id = text(create_batch(user.api).at("batchId"));
  auto path = "/batches/" + batch_id;
  EXPECT_EQ(user.api.patch(path, {{"name", "second"}}, {{"If-Match", "\"7\", \"1\""}}).status, 200);
  EXPECT_EQ(user.api.patch(path, {{"name", "third"}}, {{"If-Match", "\"1\",\"16\""}}).status, 412);
  EXPECT_EQ(user.api.patch(path, {{"name", "third"}}, {{"If-Match", "\"1\", \"2\""}}).status, 200);
}

}  // namespace
}  // namespace kefir::test
