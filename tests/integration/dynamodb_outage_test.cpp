// Kefir on DynamoDB when the table pushes back or goes away (SPEC §10): every request that needs the store
// answers 503 UNAVAILABLE with Retry-After (1 s throttled, 30 s unavailable), never 500, and once the table
// is back nothing is half-written; the same through the Beast server and the Lambda entry point. Kefir talks
// to DynamoDB Local through a proxy on a loopback port that the test switches between passing calls through,
// answering them with ThrottlingException, and refusing connections.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/app.hpp"
#include "http/router.hpp"
#include "integration/batches_support.hpp"
#include "lambda/apigw_v2.hpp"
#include "support/dynamodb_local.hpp"
#include "support/raw_socket.hpp"
#include "support/test_env.hpp"

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

// What a request got back, through either entry point.
struct Answer {
  long status = 0;
  std::string retry_after;
  std::string body;

  json::object json() const { return json::parse(body).as_object(); }
};

// The API as the scenario speaks it: the Beast server over HTTP, or the Lambda entry point in process. Both
// sign in like a client, with the code stage dev mails to <DATA_DIR>/outbox.log.
class EntryPoint {
 public:
  virtual ~EntryPoint() = default;
  // GET, POST or PATCH; `body` for the last two.
  virtual Answer call(const std::string& method, const std::string& path, const json::object& body = {},
                      const std::string& idempotency_key = {}) = 0;

  void sign_in(const std::string& email) {
    auto login = call("POST", "/auth/login", {{"email", email}});
    ASSERT_EQ(login.status, 202) << login.body;
    auto code = wait_for_new_code(data_dir(), email, 0, std::chrono::seconds(10));
    ASSERT_FALSE(code.empty()) << "no code mailed to " << email;
    auto verify = call("POST", "/auth/verify", {{"email", email}, {"code", code}});
    ASSERT_EQ(verify.status, 200) << verify.body;
    token_ = text(verify.json().at("accessToken"));
  }

 protected:
  virtual std::string data_dir() const = 0;

  std::string token_;
};

class BeastServer final : public EntryPoint {
 public:
  explicit BeastServer(ServerConfig config) : server_(std::move(config)) {}
  ~BeastServer() override { EXPECT_EQ(server_.terminate(), 0); }

  Answer call(const std::string& method, const std::string& path, const json::object& body,
              const std::string& idempotency_key) override {
    ApiClient client(server_.base_url(), token_);
    std::vector<std::pair<std::string, std::string>> headers;
    if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
    auto answer = method == "GET"    ? client.get(path, headers)
                  : method == "POST" ? client.post(path, body, headers)
                                     : client.patch(path, body, headers);
    return {answer.status, answer.header("retry-after"), answer.body};
  }

 private:
  std::string data_dir() const override { return server_.data_dir(); }

  ServerProcess server_;
};

// API Gateway payload 2.0 events through lambda::serve_event, as `kefir lambda` serves them.
class LambdaHandler final : public EntryPoint {
 public:
  explicit LambdaHandler(std::map<std::string, std::string> env) {
    env["STAGE"] = "dev";
    env["DATA_DIR"] = data_.str();
    auto config = load_config(std::move(env));
    config.lambda_mode = true;
    app_ = std::make_unique<App>(std::move(config), router_);
  }

  Answer call(const std::string& method, const std::string& path, const json::object& body,
              const std::string& idempotency_key) override {
    json::object headers{{"content-type", "application/json"}};
    if (!token_.empty()) headers["authorization"] = "Bearer " + token_;
    if (!idempotency_key.empty()) headers["idempotency-key"] = idempotency_key;
    json::object event{
        {"version", "2.0"},
        {"rawPath", path.substr(0, path.find('?'))},
        {"rawQueryString", path.find('?') == std::string::npos ? "" : path.substr(path.find('?') + 1)},
        {"headers", std::move(headers)},
        {"isBase64Encoded", false},
        {"requestContext",
         {{"requestId", "outage"}, {"http", {{"method", method}, {"sourceIp", "127.0.0.1"}}}}}};
    if (method != "GET") event["body"] = json::serialize(body);
    auto result = lambda::serve_event(router_, event, {.upload_dir = data_.path() / "lambda-tmp"});
    Answer answer{result.at("statusCode").to_number<long>(), {}, text(result.at("body"))};
    if (const auto* retry_after = result.at("headers").as_object().if_contains("retry-after"))
      answer.retry_after = text(*retry_after);
    return answer;
  }

 private:
  std::string data_dir() const override { return data_.str(); }

  TempDir data_;
  http::Router router_;
  std::unique_ptr<App> app_;
};

void expect_unavailable(const Answer& answer, const std::string& retry_after, const std::string& what) {
  EXPECT_EQ(answer.status, 503) << what << ": " << answer.body;
  if (answer.status == 503) {
    EXPECT_EQ(text(answer.json().at("code")), "UNAVAILABLE") << what;
  }
  EXPECT_EQ(answer.retry_after, retry_after) << what;
}

json::object new_batch(const std::string& name) {
  return {{"name", name}, {"stage", "stage1_open"}};
}

// The user's batches named `name`; each must be whole: its "Batch started" event written with it.
std::size_t whole_batches_named(EntryPoint& api, const std::string& name) {
  auto list = api.call("GET", "/batches?limit=100");
  EXPECT_EQ(list.status, 200) << list.body;
  if (list.status != 200) return 0;
  std::size_t found = 0;
  const auto listed_batches = list.json();
  for (const auto& batch : listed_batches.at("batches").as_array()) {
    if (text(batch.at("name")) != name) continue;
    ++found;
    auto events = api.call("GET", "/batches/" + text(batch.at("batchId")) + "/events?limit=100");
    EXPECT_EQ(events.status, 200) << events.body;
    if (events.status != 200) continue;
    const auto listed = events.json().at("events").as_array();
    EXPECT_EQ(listed.size(), 1u) << name << " is half-written";
    if (!listed.empty()) {
      EXPECT_EQ(text(listed.front().at("description")), "Batch started");
    }
  }
  return found;
}

// Throttled everywhere, then only the batch's transaction, then gone; then back: answers and what is left.
void outage_scenario(SwitchableDynamoDb& dynamodb, EntryPoint& api) {
  api.sign_in(unique_email("outage"));
  auto created = api.call("POST", "/batches", new_batch("before the outage"));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto kept = text(created.json().at("batch").at("batchId"));

  dynamodb.set_mode(SwitchableDynamoDb::Mode::throttle_all);
  expect_unavailable(api.call("POST", "/batches", new_batch("throttled")), "1", "POST /batches, throttled");
  expect_unavailable(api.call("GET", "/batches"), "1", "GET /batches, throttled");
  expect_unavailable(api.call("PATCH", "/batches/" + kept, {{"name", "renamed while throttled"}}), "1",
                     "PATCH /batches/{id}, throttled");

  // The idempotency claim and the reads go through; the batch's transaction does not.
  dynamodb.set_mode(SwitchableDynamoDb::Mode::throttle_transactions);
  expect_unavailable(api.call("POST", "/batches", new_batch("retried"), "outage-batch"), "1",
                     "POST /batches, its transaction throttled");

  dynamodb.set_mode(SwitchableDynamoDb::Mode::gone);
  expect_unavailable(api.call("POST", "/batches", new_batch("gone")), "30", "POST /batches, table gone");
  expect_unavailable(api.call("GET", "/batches/" + kept), "30", "GET /batches/{id}, table gone");
  EXPECT_EQ(api.call("GET", "/readyz").status, 503);

  dynamodb.set_mode(SwitchableDynamoDb::Mode::pass);
  EXPECT_EQ(api.call("GET", "/readyz").status, 200);
  auto batch = api.call("GET", "/batches/" + kept);
  ASSERT_EQ(batch.status, 200) << batch.body;
  EXPECT_EQ(text(batch.json().at("batch").at("name")), "before the outage");
  EXPECT_EQ(whole_batches_named(api, "throttled"), 0u);
  EXPECT_EQ(whole_batches_named(api, "gone"), 0u);
  EXPECT_EQ(whole_batches_named(api, "retried"), 0u);
  // The failed attempt released its Idempotency-Key: the retry runs the request instead of waiting for it.
  auto retried = api.call("POST", "/batches", new_batch("retried"), "outage-batch");
  EXPECT_EQ(retried.status, 201) << retried.body;
  EXPECT_EQ(whole_batches_named(api, "retried"), 1u);
  EXPECT_EQ(whole_batches_named(api, "before the outage"), 1u);
}

std::map<std::string, std::string> env_through(const SwitchableDynamoDb& dynamodb) {
  auto env = dynamodb_local_env(create_dynamodb_local_table());
  env["DYNAMODB_ENDPOINT"] = dynamodb.endpoint();
  return env;
}

TEST(DynamoDbOutage, TheServerAnswers503WithRetryAfterAndNothingIsHalfWritten) {
  SwitchableDynamoDb dynamodb(port_of(dynamodb_local().endpoint));
  ServerConfig config;
  config.env = env_through(dynamodb);
  BeastServer server(std::move(config));
  outage_scenario(dynamodb, server);
}

TEST(DynamoDbOutage, TheLambdaEntryPointAnswersTheSame) {
  SwitchableDynamoDb dynamodb(port_of(dynamodb_local().endpoint));
  LambdaHandler handler(env_through(dynamodb));
  outage_scenario(dynamodb, handler);
}

}  // namespace
}  // namespace kefir::test
