// GET /me/stream through the real binary: changes made through the API reach a user's open streams (and only
// theirs) within a second, from this process or another one on the same store; resume with Last-Event-ID;
// limits, heartbeats, the end of a token, shutdown.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "http/message.hpp"
#include "support/auth_helpers.hpp"
#include "support/dynamodb_local.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/sse_client.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

using namespace std::chrono_literals;

std::string create_batch(const ApiClient& client, const std::string& name) {
  auto response = client.post("/batches", {{"name", name}, {"stage", "stage1_open"}});
  EXPECT_EQ(response.status, 201) << response.body;
  return std::string(response.json().at("batch").at("batchId").as_string());
}

std::unique_ptr<SseClient> open_stream(const ServerProcess& server, const std::string& token,
                                       std::string last_event_id = {}) {
  std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "Bearer " + token}};
  if (!last_event_id.empty()) headers.emplace_back("Last-Event-ID", last_event_id);
  return std::make_unique<SseClient>(server.port(), "/me/stream", headers);
}

// The batch ids a `changes` event carries, in the order of the page (created, then updated).
std::vector<std::string> created_batch_ids(const SseEvent& event) {
  std::vector<std::string> ids;
  auto page = boost::json::parse(event.data).as_object();
  for (const auto& batch : page.at("changes").at("batches").at("created").as_array())
    ids.emplace_back(batch.at("batchId").as_string());
  return ids;
}

class StreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess({.env = {{"STREAM_HEARTBEAT", "1"}, {"STREAMS_PER_USER", "3"}}});
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ServerProcess* server_;
};
ServerProcess* StreamTest::server_ = nullptr;

TEST_F(StreamTest, AChangeThroughTheApiReachesTheOpenStreamWithinOneSecond) {
  auto user = sign_in(*server_, unique_email("stream"));
  ApiClient api(server_->base_url(), user.access_token);
  create_batch(api, "Before the stream");
  auto stream = open_stream(*server_, user.access_token);
  ASSERT_EQ(stream->status(), 200) << stream->error_body();
  EXPECT_EQ(stream->header("content-type"), "text/event-stream");
  EXPECT_EQ(stream->header("cache-control"), "no-store");

  auto started = std::chrono::steady_clock::now();
  auto id = create_batch(api, "Live");
  auto event = stream->next_event(1s);
  ASSERT_TRUE(event) << "no event within a second of the write";
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_EQ(event->type, "changes");
  EXPECT_FALSE(event->id.empty());
  EXPECT_EQ(created_batch_ids(*event), std::vector<std::string>{id}) << "only the change after opening";
  auto sync = api.get("/sync?since=" + http::percent_encode(event->id));
  ASSERT_EQ(sync.status, 200) << sync.body;
  EXPECT_FALSE(sync.json().at("more").as_bool()) << "the event's id is the token after its change";
}

TEST_F(StreamTest, AnotherUsersChangesNeverReachAStream) {
  auto mine = sign_in(*server_, unique_email("mine"));
  auto theirs = sign_in(*server_, unique_email("theirs"));
  auto stream = open_stream(*server_, mine.access_token);
  ASSERT_EQ(stream->status(), 200);
  ApiClient other(server_->base_url(), theirs.access_token);
  create_batch(other, "Not yours");
  EXPECT_FALSE(stream->next_event(1500ms)) << "another user's change reached this stream";
  auto id = create_batch(ApiClient(server_->base_url(), mine.access_token), "Yours");
  auto event = stream->next_event(1s);
  ASSERT_TRUE(event);
  EXPECT_EQ(created_batch_ids(*event), std::vector<std::string>{id});
}

TEST_F(StreamTest, ResumingWithLastEventIdGivesEveryChangeExactlyOnceInOrder) {
  auto user = sign_in(*server_, unique_email("resume"));
  ApiClient api(server_->base_url(), user.access_token);
  std::vector<std::string> made;
  std::vector<std::string> seen;
  std::string last_id;
  {
    auto stream = open_stream(*server_, user.access_token);
    ASSERT_EQ(stream->status(), 200);
    made.push_back(create_batch(api, "One"));
    auto event = stream->next_event(1s);
    ASSERT_TRUE(event);
    for (auto& id : created_batch_ids(*event)) seen.push_back(id);
    last_id = event->id;
  }  // the connection drops, as on a train
  for (int i = 0; i < 30; ++i) made.push_back(create_batch(api, "Offline " + std::to_string(i)));
  auto resumed = open_stream(*server_, user.access_token, last_id);
  ASSERT_EQ(resumed->status(), 200) << resumed->error_body();
  made.push_back(create_batch(api, "Live again"));
  while (seen.size() < made.size()) {
    auto event = resumed->next_event(2s);
    if (!event) break;
    for (auto& id : created_batch_ids(*event)) seen.push_back(id);
  }
  EXPECT_EQ(seen, made);
  EXPECT_FALSE(resumed->next_event(500ms)) << "a change was sent twice";
}

TEST_F(StreamTest, ABadOrForeignLastEventIdIsRefusedBeforeTheStreamStarts) {
  auto user = sign_in(*server_, unique_email("badid"));
  auto other = sign_in(*server_, unique_email("otherid"));
  auto tampered = open_stream(*server_, user.access_token, "not-a-token");
  EXPECT_EQ(tampered->status(), 400);
  EXPECT_NE(tampered->error_body().find("VALIDATION_ERROR"), std::string::npos) << tampered->error_body();
  ApiClient theirs(server_->base_url(), other.access_token);
  auto their_token = theirs.get("/sync").json().at("next").as_string();
  auto foreign = open_stream(*server_, user.access_token, std::string(their_token));
  EXPECT_EQ(foreign->status(), 400) << foreign->error_body();
}

TEST_F(StreamTest, WithoutATokenIs401) {
  SseClient stream(server_->port(), "/me/stream", {});
  EXPECT_EQ(stream.status(), 401);
}

TEST_F(StreamTest, HeartbeatsKeepAnIdleStreamAlive) {
  auto user = sign_in(*server_, unique_email("heartbeat"));
  auto stream = open_stream(*server_, user.access_token);
  ASSERT_EQ(stream->status(), 200);
  EXPECT_FALSE(stream->next_event(2500ms));
  EXPECT_GE(stream->comments().size(), 2u);
  for (const auto& comment : stream->comments()) EXPECT_EQ(comment, ": keep-alive");
}

TEST_F(StreamTest, MoreStreamsThanAUserMayHoldAnswer429) {
  auto user = sign_in(*server_, unique_email("limit"));
  std::vector<std::unique_ptr<SseClient>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(open_stream(*server_, user.access_token));
    ASSERT_EQ(open.back()->status(), 200);
  }
  auto over = open_stream(*server_, user.access_token);
  EXPECT_EQ(over->status(), 429);
  EXPECT_NE(over->error_body().find("THROTTLED"), std::string::npos);
  EXPECT_FALSE(over->header("retry-after").empty());
  open.pop_back();  // the client goes: its place is free again at once
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(open_stream(*server_, user.access_token)->status(), 200);
}

TEST_F(StreamTest, SigningOutEverywhereEndsTheStream) {
  auto user = sign_in(*server_, unique_email("signout"));
  auto stream = open_stream(*server_, user.access_token);
  ASSERT_EQ(stream->status(), 200);
  ASSERT_EQ(ApiClient(server_->base_url(), user.access_token).del("/me/sessions").status, 204);
  EXPECT_TRUE(stream->wait_until_ended(3s));
}

TEST(StreamLimits, AnInstanceHoldsAtMostMaxStreams) {
  ServerProcess server({.env = {{"MAX_STREAMS", "2"}}});
  auto first = sign_in(server, unique_email("max1"));
  auto second = sign_in(server, unique_email("max2"));
  auto a = open_stream(server, first.access_token);
  auto b = open_stream(server, second.access_token);
  ASSERT_EQ(a->status(), 200);
  ASSERT_EQ(b->status(), 200);
  auto over = open_stream(server, second.access_token);
  EXPECT_EQ(over->status(), 429);
  EXPECT_FALSE(over->header("retry-after").empty());
}

TEST(StreamShutdown, SigtermEndsOpenStreamsAndTheServerExitsQuickly) {
  ServerProcess server;
  auto user = sign_in(server, unique_email("shutdown"));
  auto first = open_stream(server, user.access_token);
  auto second = open_stream(server, user.access_token);
  ASSERT_EQ(first->status(), 200);
  ASSERT_EQ(second->status(), 200);
  auto started = std::chrono::steady_clock::now();
  server.signal(SIGTERM);
  for (auto* stream : {first.get(), second.get()}) {
    auto event = stream->next_event(2s);
    ASSERT_TRUE(event);
    EXPECT_EQ(event->type, "shutdown");
    EXPECT_TRUE(stream->wait_until_ended(2s));
  }
  EXPECT_EQ(server.wait_exit(5s), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s)
      << "shutdown waited for the open streams (grace: 10 s)";
}

// Two processes on one store (`shared`: the same SQLite file, or the same DynamoDB table): a change made
// through A reaches a stream opened on B within a second.
void expect_a_change_through_one_process_on_a_stream_of_another(const ServerConfig& shared) {
  ServerProcess a(shared);
  ServerProcess b(shared);
  auto user = sign_in(a, unique_email("twoproc"));
  auto stream = open_stream(b, user.access_token);
  ASSERT_EQ(stream->status(), 200) << stream->error_body();
  auto started = std::chrono::steady_clock::now();
  auto id = create_batch(ApiClient(a.base_url(), user.access_token), "Made on A");
  auto event = stream->next_event(1s);
  ASSERT_TRUE(event) << "B's stream missed A's change";
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_EQ(created_batch_ids(*event), std::vector<std::string>{id});
}

// B sees the SQLite file's data version move.
TEST(StreamAcrossProcesses, AChangeThroughOneSqliteProcessReachesAStreamOnAnother) {
  TempDir data;
  ServerConfig shared;
  shared.env = {{"DATA_DIR", data.str()}, {"PUBLIC_BASE_URL", "http://kefir.test"}};
  expect_a_change_through_one_process_on_a_stream_of_another(shared);
}

// B polls the user's change sequence on DynamoDB Local.
TEST(StreamAcrossProcesses, AChangeThroughOneDynamoDbInstanceReachesAStreamOnAnother) {
  ServerConfig shared;
  shared.env = dynamodb_local_env(create_dynamodb_local_table());
  shared.env["PUBLIC_BASE_URL"] = "http://kefir.test";
  shared.env["JWT_PRIVATE_KEY"] = generate_rsa_pem();
  expect_a_change_through_one_process_on_a_stream_of_another(shared);
}

}  // namespace
}  // namespace kefir::test
