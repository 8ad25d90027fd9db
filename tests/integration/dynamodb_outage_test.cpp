// The server on DynamoDB when the table pushes back or goes away (SPEC §10): every request that needs the
// store answers 503 UNAVAILABLE with Retry-After (1 s throttled, 30 s unavailable), never 500, and once the
// table is back nothing is half-written. The server talks to DynamoDB Local through a proxy on a loopback
// port that the test switches between passing calls through, answering them with ThrottlingException, and
// refusing connections.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "integration/batches_support.hpp"
#include "support/dynamodb_local.hpp"
#include "support/raw_socket.hpp"

namespace kefir::test {
namespace {

using std::chrono::milliseconds;

class SwitchableDynamoDb {
 public:
  enum class Mode {
    pass,                   // every call reaches DynamoDB Local
    throttle_all,           // every call is answered with ThrottlingException
    throttle_transactions,  // only TransactWriteItems is: a request's reads and single writes go through
    gone,                   // the port refuses connections
  };

  explicit SwitchableDynamoDb(int upstream_port)
      : upstream_port_(upstream_port), listener_(listen_loopback()), port_(local_port(listener_)) {
    acceptor_ = std::thread([this, listener = listener_] { accept_on(listener); });
  }

  ~SwitchableDynamoDb() {
    stop_listening();
    std::unique_lock lock(mutex_);
    connections_done_.wait(lock, [this] { return connections_ == 0; });
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void set_mode(Mode mode) {
    mode_ = mode;
    if (mode == Mode::gone) {
      stop_listening();
    } else if (listener_ < 0) {
      listener_ = listen_loopback(port_);
      acceptor_ = std::thread([this, listener = listener_] { accept_on(listener); });
    }
  }

 private:
  void stop_listening() {
    if (listener_ < 0) return;
    ::shutdown(listener_, SHUT_RDWR);  // wakes accept()
    acceptor_.join();
    ::close(listener_);
    listener_ = -1;
  }

  void accept_on(int listener) {
    for (;;) {
      int connection = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0) return;
      {
        std::lock_guard lock(mutex_);
        ++connections_;
      }
      std::thread([this, connection] {
        handle(connection);
        ::close(connection);
        std::lock_guard lock(mutex_);
        if (--connections_ == 0) connections_done_.notify_all();
      }).detach();
    }
  }

  // One request per connection, answered with Connection: close, so a mode change applies to the next call.
  void handle(int connection) {
    auto request = read_http_message(connection);
    if (!request) return;
    auto mode = mode_.load();
    if (mode == Mode::gone) return;
    bool transaction = request->head.find("DynamoDB_20120810.TransactWriteItems") != std::string::npos;
    if (mode == Mode::throttle_all || (mode == Mode::throttle_transactions && transaction)) {
      std::string body =
          R"({"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"})";
      write_all(connection,
                "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\n"
                "Content-Length: " +
                    std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
      return;
    }
    RawSocket upstream(upstream_port_);
    upstream.send(request->head + "\r\nConnection: close\r\n\r\n" + request->body);
    write_all(connection, upstream.read_until_close(std::chrono::seconds(10)));
  }

  const int upstream_port_;
  std::atomic<Mode> mode_{Mode::pass};
  int listener_;
  const int port_;
  std::thread acceptor_;
  std::mutex mutex_;
  std::condition_variable connections_done_;
  int connections_ = 0;
};

int port_of(const std::string& url) {
  return std::stoi(url.substr(url.rfind(':') + 1));
}

void expect_unavailable(const HttpResponse& answer, const std::string& retry_after, const std::string& what) {
  EXPECT_EQ(answer.status, 503) << what << ": " << answer.body;
  EXPECT_EQ(error_code(answer), "UNAVAILABLE") << what << ": " << answer.body;
  EXPECT_EQ(answer.header("retry-after"), retry_after) << what;
}

json::object new_batch(const std::string& name) {
  return {{"name", name}, {"stage", "stage1_open"}};
}

// The user's batches named `name`; each must be whole: its "Batch started" event written with it.
std::size_t whole_batches_named(const ApiClient& api, const std::string& name) {
  std::size_t found = 0;
  for (const auto& batch : list_all(api, "/batches", "batches", 50)) {
    if (text(batch.at("name")) != name) continue;
    ++found;
    auto events = list_all(api, "/batches/" + text(batch.at("batchId")) + "/events", "events", 50);
    EXPECT_EQ(events.size(), 1u) << name << " is half-written";
    if (!events.empty()) {
      EXPECT_EQ(events.front().at("description"), "Batch started");
    }
  }
  return found;
}

long readiness(const ServerProcess& server) {
  return ApiClient(server.base_url()).get("/readyz").status;
}

TEST(DynamoDbOutage, ThrottledOrGoneTableAnswers503WithRetryAfterAndNothingIsHalfWritten) {
  SwitchableDynamoDb dynamodb(port_of(dynamodb_local().endpoint));
  ServerConfig config;
  config.env = dynamodb_local_env(create_dynamodb_local_table());
  config.env["DYNAMODB_ENDPOINT"] = dynamodb.endpoint();
  ServerProcess server(config);
  auto session = sign_in(server, unique_email("outage"));
  ApiClient api(server.base_url(), session.access_token);
  const auto kept = text(create_batch(api, new_batch("before the outage")).at("batchId"));

  dynamodb.set_mode(SwitchableDynamoDb::Mode::throttle_all);
  expect_unavailable(api.post("/batches", new_batch("throttled")), "1", "POST /batches, throttled");
  expect_unavailable(api.get("/batches"), "1", "GET /batches, throttled");
  expect_unavailable(api.patch("/batches/" + kept, {{"name", "renamed while throttled"}}), "1",
                     "PATCH /batches/{id}, throttled");

  // The idempotency claim and the reads go through; the batch's transaction does not.
  dynamodb.set_mode(SwitchableDynamoDb::Mode::throttle_transactions);
  const std::vector<std::pair<std::string, std::string>> once = {{"Idempotency-Key", "outage-batch"}};
  expect_unavailable(api.post("/batches", new_batch("retried"), once), "1",
                     "POST /batches, its transaction throttled");

  dynamodb.set_mode(SwitchableDynamoDb::Mode::gone);
  expect_unavailable(api.post("/batches", new_batch("gone")), "30", "POST /batches, table gone");
  expect_unavailable(api.get("/batches/" + kept), "30", "GET /batches/{id}, table gone");
  EXPECT_EQ(readiness(server), 503);

  dynamodb.set_mode(SwitchableDynamoDb::Mode::pass);
  EXPECT_EQ(readiness(server), 200);
  auto batch = api.get("/batches/" + kept);
  ASSERT_EQ(batch.status, 200) << batch.body;
  EXPECT_EQ(batch.json().at("batch").at("name"), "before the outage");
  EXPECT_EQ(whole_batches_named(api, "throttled"), 0u);
  EXPECT_EQ(whole_batches_named(api, "gone"), 0u);
  EXPECT_EQ(whole_batches_named(api, "retried"), 0u);
  // The failed attempt released its Idempotency-Key: the retry runs the request instead of waiting for it.
  auto retried = api.post("/batches", new_batch("retried"), once);
  EXPECT_EQ(retried.status, 201) << retried.body;
  EXPECT_EQ(whole_batches_named(api, "retried"), 1u);
  EXPECT_EQ(whole_batches_named(api, "before the outage"), 1u);
  EXPECT_EQ(server.terminate(), 0);
}

}  // namespace
}  // namespace kefir::test
