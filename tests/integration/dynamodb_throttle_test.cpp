// The DynamoDB adapter's retry and error mapping against a scripted fake endpoint on a loopback socket: the
// answers DynamoDB gives when it throttles, conflicts or fails, which DynamoDB Local never produces.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "adapters/dynamodb/dynamodb_item_store.hpp"
#include "support/peer_process.hpp"
#include "support/raw_socket.hpp"

namespace kefir::store {
namespace {

struct Reply {
  int status;
  std::string body;
};

// An HTTP endpoint that answers request n with replies[n] (the last reply repeats) and records every request.
class FakeEndpoint {
 public:
  explicit FakeEndpoint(std::vector<Reply> replies)
      : replies_(std::move(replies)), listener_(test::listen_loopback()), port_(test::local_port(listener_)) {
    thread_ = std::thread([this] { serve(); });
  }

  ~FakeEndpoint() {
    shutdown(listener_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    close(listener_);
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<test::HttpMessageText> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    for (;;) {
      int connection = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0) return;
      handle(connection);
      close(connection);
    }
  }

  void handle(int connection) {
    auto request = test::read_http_message(connection);
    if (!request) return;
    Reply reply;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(std::move(*request));
      reply = replies_[std::min(requests_.size(), replies_.size()) - 1];
    }
    auto response = "HTTP/1.1 " + std::to_string(reply.status) +
                    " Reply\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: " +
                    std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n" + reply.body;
    test::write_all(connection, response);
  }

  std::vector<Reply> replies_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<test::HttpMessageText> requests_;
};

Reply error(int status, std::string_view type, std::string_view extra = {}) {
  return {status,
          R"({"__type":")" + std::string(type) + R"(","message":"scripted")" + std::string(extra) + "}"};
}

const Reply kThrottled = error(400, "com.amazon.coral.availability#ThrottlingException");
const Reply kItem = {200, R"({"Item":{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"},"n":{"N":"42"}}})"};

struct Fixture : ::testing::Test {
  SystemClock clock;
  std::vector<std::string> throttled;
  std::vector<std::string> timed;

  std::unique_ptr<DynamoDbItemStore> store_for(const FakeEndpoint& fake, int max_attempts = 6) {
    DynamoDbOptions options;
    options.table_name = "kefir-throttle-test";
    options.endpoint = fake.endpoint();
    options.credentials = {"AKIDTHROTTLE", "secret", ""};
    options.retry = {max_attempts, std::chrono::milliseconds(1), std::chrono::milliseconds(20)};
    auto store = std::make_unique<DynamoDbItemStore>(options, clock);
    store->set_on_throttle([this](std::string_view operation) { throttled.emplace_back(operation); });
    store->set_on_duration([this](std::string_view operation, double) { timed.emplace_back(operation); });
    return store;
  }
};

TEST_F(Fixture, ThrottledCallIsRetriedUntilItSucceedsAndEachThrottleIsCounted) {
  FakeEndpoint fake({kThrottled, kThrottled, kThrottled, kItem});
  auto store = store_for(fake);

  auto item = store->get({"USER#1", "PROFILE"});

  ASSERT_TRUE(item);
  EXPECT_EQ(json_int(*item, "n"), 42);
  EXPECT_EQ(throttled, (std::vector<std::string>{"GetItem", "GetItem", "GetItem"}));
  EXPECT_EQ(timed, (std::vector<std::string>{"GetItem"}));
  auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 4u);
  for (const auto& request : requests) {
    EXPECT_NE(request.head.find("x-amz-target: DynamoDB_20120810.GetItem"), std::string::npos)
        << request.head;
    EXPECT_NE(request.head.find("authorization: AWS4-HMAC-SHA256 Credential=AKIDTHROTTLE/"),
              std::string::npos);
    auto body = json::parse(request.body).as_object();
    EXPECT_EQ(body.at("TableName"), "kefir-throttle-test");
    EXPECT_EQ(body.at("ConsistentRead"), true);
  }
}

TEST_F(Fixture, ExhaustedRetriesRaiseStoreThrottled) {
  FakeEndpoint fake({error(400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException")});
  auto store = store_for(fake, 3);

  EXPECT_THROW(store->put({{"PK", "USER#1"}, {"SK", "PROFILE"}}), StoreThrottled);
  EXPECT_EQ(throttled.size(), 3u);
  EXPECT_EQ(fake.requests().size(), 3u);
}

TEST_F(Fixture, ServerErrorsAreRetriedAndAnUnreachableStoreIsUnavailable) {
  FakeEndpoint fake({{500, "{}"}, error(500, "com.amazonaws.dynamodb.v20120810#InternalServerError"), kItem});
  EXPECT_TRUE(store_for(fake)->get({"USER#1", "PROFILE"}));
  EXPECT_EQ(fake.requests().size(), 3u);

  DynamoDbOptions options;
  options.table_name = "kefir-throttle-test";
  options.endpoint = "http://127.0.0.1:" + std::to_string(test::free_loopback_port());
  options.credentials = {"AKIDTHROTTLE", "secret", ""};
  options.retry = {2, std::chrono::milliseconds(1), std::chrono::milliseconds(5)};
  DynamoDbItemStore unreachable(options, clock);
  EXPECT_THROW(unreachable.get({"USER#1", "PROFILE"}), StoreUnavailable);
  EXPECT_FALSE(unreachable.ready());
}

TEST_F(Fixture, TransactionConflictIsRetriedButAFailedConditionNamesItsOperation) {
  auto cancelled = [](std::string_view reasons) {
    return error(400, "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                 R"(,"CancellationReasons":)" + std::string(reasons));
  };
  std::vector<WriteOp> operations = {Put{{{"PK", "A"}, {"SK", "1"}}, std::nullopt},
                                     Put{{{"PK", "B"}, {"SK", "1"}}, Condition::item_absent()}};

  FakeEndpoint conflicted({cancelled(R"([{"Code":"None"},{"Code":"TransactionConflict"}])"), {200, "{}"}});
  store_for(conflicted)->transact_write(operations);
  EXPECT_EQ(conflicted.requests().size(), 2u);
  EXPECT_EQ(throttled, (std::vector<std::string>{"TransactWriteItems"}));

  FakeEndpoint failed({cancelled(R"([{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"x"}])")});
  try {
    store_for(failed)->transact_write(operations);
    FAIL() << "expected ConditionFailed";
  } catch (const ConditionFailed& e) {
    EXPECT_EQ(e.index(), 1);
  }
  EXPECT_EQ(failed.requests().size(), 1u);

  // Some engines only list the reasons in the message.
  FakeEndpoint message_only(
      {{400, R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",)"
             R"("Message":"Transaction cancelled, please refer cancellation reasons for )"
             R"(specific reasons [ConditionalCheckFailed, None]"})"}});
  try {
    store_for(message_only)->transact_write(operations);
    FAIL() << "expected ConditionFailed";
  } catch (const ConditionFailed& e) {
    EXPECT_EQ(e.index(), 0);
  }
}

TEST_F(Fixture, ConditionalCheckFailureIsNotRetried) {
  FakeEndpoint fake({error(400, "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException")});
  try {
    store_for(fake)->put({{"PK", "USER#1"}, {"SK", "PROFILE"}}, Condition::item_absent());
    FAIL() << "expected ConditionFailed";
  } catch (const ConditionFailed& e) {
    EXPECT_EQ(e.index(), -1);
  }
  EXPECT_EQ(fake.requests().size(), 1u);
  EXPECT_TRUE(throttled.empty());
}

TEST_F(Fixture, ReadinessIsOneUnretriedDescribeTable) {
  FakeEndpoint fake({kThrottled, {200, R"({"Table":{"TableStatus":"ACTIVE"}})"}});
  auto store = store_for(fake);
  EXPECT_FALSE(store->ready());
  EXPECT_TRUE(store->ready());
  EXPECT_EQ(fake.requests().size(), 2u);
}

}  // namespace
}  // namespace kefir::store
