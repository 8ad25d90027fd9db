// The transport through the real binary: error shapes, limits, request ids, timeouts, graceful shutdown.
#include <gtest/gtest.h>

#include <thread>

#include "support/http_client.hpp"
#include "support/raw_socket.hpp"
#include "support/server_process.hpp"

namespace kefir::test {
namespace {

class HttpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess({.env = {{"READ_TIMEOUT", "1"}}}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ServerProcess* server_;
  ApiClient api{server_->base_url()};
};
ServerProcess* HttpServerTest::server_ = nullptr;

TEST_F(HttpServerTest, HealthzAnswersOk) {
  auto response = api.get("/healthz");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.json().as_object().at("status"), "ok");
  EXPECT_EQ(api.get("/readyz").status, 200);
}

TEST_F(HttpServerTest, UnknownRouteIs404InErrorShape) {
  auto response = api.get("/no/such/thing");
  EXPECT_EQ(response.status, 404);
  auto body = response.json().as_object();
  EXPECT_EQ(body.at("code"), "NOT_FOUND");
  EXPECT_TRUE(body.at("error").is_string());
  EXPECT_EQ(response.header("content-type"), "application/json");
}

TEST_F(HttpServerTest, WrongMethodIs405InErrorShape) {
  auto response = api.raw("DELETE", "/healthz", "");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.json().as_object().at("code"), "METHOD_NOT_ALLOWED");
}

TEST_F(HttpServerTest, BodyOver64KiBIs413) {
  std::string big(65 * 1024, 'x');
  auto response =
      api.raw("POST", "/auth/login", "{\"email\":\"" + big + "\"}", {{"Content-Type", "application/json"}});
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.json().as_object().at("code"), "PAYLOAD_TOO_LARGE");
}

TEST_F(HttpServerTest, MalformedJsonIsBadJson) {
  auto response = api.raw("POST", "/auth/login", "{\"email\": ", {{"Content-Type", "application/json"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.json().as_object().at("code"), "BAD_JSON");
}

TEST_F(HttpServerTest, RequestIdIsEchoedOrGeneratedAndLogged) {
  auto echoed = api.get("/healthz", {{"X-Request-Id", "client-abc-123"}});
  EXPECT_EQ(echoed.header("x-request-id"), "client-abc-123");
  auto generated = api.get("/healthz", {{"X-Request-Id", "bad id with spaces"}});
  auto id = generated.header("x-request-id");
  EXPECT_EQ(id.size(), 36u);
  EXPECT_NE(id, "bad id with spaces");
  auto line = server_->wait_for_output(
      [&](const std::string& l) { return l.find("\"requestId\":\"" + id + "\"") != std::string::npos; },
      std::chrono::seconds(5));
  ASSERT_FALSE(line.empty());
  auto entry = boost::json::parse(line).as_object();
  EXPECT_EQ(entry.at("route"), "/healthz");
  EXPECT_EQ(entry.at("status"), 200);
  EXPECT_TRUE(entry.at("durationMs").is_number());
}

TEST_F(HttpServerTest, LogLineNumbersArePlainDecimals) {
  auto id = api.get("/healthz").header("x-request-id");
  auto line = server_->wait_for_output(
      [&](const std::string& l) { return l.find("\"requestId\":\"" + id + "\"") != std::string::npos; },
      std::chrono::seconds(5));
  ASSERT_FALSE(line.empty());
  auto at = line.find("\"durationMs\":");
  ASSERT_NE(at, std::string::npos) << line;
  auto digits = line.substr(at + 13, line.find_first_of(",}", at) - at - 13);
  EXPECT_FALSE(digits.empty());
  EXPECT_EQ(digits.find_first_not_of("0123456789."), std::string::npos) << "durationMs written as " << digits;
}

TEST_F(HttpServerTest, StalledClientIsDisconnected) {
  RawSocket socket(server_->port());
  socket.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // never finishes the head
  bool closed = false;
  socket.read_until_close(std::chrono::seconds(5), &closed);
  EXPECT_TRUE(closed) << "READ_TIMEOUT=1 must drop a client that stalls mid-request";
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  RawSocket socket(server_->port());
  socket.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  bool closed = false;
  auto data = socket.read_until_close(std::chrono::seconds(5), &closed);
  EXPECT_NE(data.find("200 OK"), std::string::npos);
  EXPECT_TRUE(closed);
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrderAndConnectionCloseIsHonoured) {
  RawSocket socket(server_->port());
  socket.send(
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: first\r\n\r\n"
      "GET /nowhere HTTP/1.1\r\nHost: x\r\nX-Request-Id: second\r\nConnection: close\r\n\r\n");
  bool closed = false;
  auto data = socket.read_until_close(std::chrono::seconds(5), &closed);
  EXPECT_TRUE(closed);
  auto first = data.find("HTTP/1.1 200 OK\r\n");
  auto second = data.find("HTTP/1.1 404 Not Found\r\n");
  ASSERT_NE(first, std::string::npos) << data;
  ASSERT_NE(second, std::string::npos) << data;
  EXPECT_LT(first, second);
  EXPECT_LT(data.find("x-request-id: first", first), second);
  EXPECT_NE(data.find("x-request-id: second", second), std::string::npos);
  EXPECT_NE(data.find("Connection: close\r\n", second), std::string::npos) << data;
  EXPECT_EQ(count_of(data, "Content-Length: "), 2u) << data;
  // Each body is exactly as long as its Content-Length says: the 404's JSON ends the stream.
  EXPECT_EQ(data.back(), '}') << data;
}

TEST_F(HttpServerTest, Http10GetsAnHttp10AnswerAndKeepAliveOnlyWhenAskedFor) {
  {
    RawSocket socket(server_->port());
    socket.send("GET /healthz HTTP/1.0\r\n\r\n");
    bool closed = false;
    auto data = socket.read_until_close(std::chrono::seconds(5), &closed);
    EXPECT_TRUE(data.starts_with("HTTP/1.0 200 OK\r\n")) << data;
    EXPECT_EQ(data.find("Connection: keep-alive"), std::string::npos) << data;
    EXPECT_TRUE(closed);
  }
  RawSocket socket(server_->port());
  socket.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  auto data = socket.read_until_close(std::chrono::milliseconds(300));
  EXPECT_NE(data.find("Connection: keep-alive\r\n"), std::string::npos) << data;
}

TEST_F(HttpServerTest, HeadAnswersTheGetHeadersWithoutTheBody) {
  auto get = api.get("/healthz");
  RawSocket socket(server_->port());
  socket.send("HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto data = socket.read_until_close(std::chrono::seconds(5));
  EXPECT_TRUE(data.starts_with("HTTP/1.1 200 OK\r\n")) << data;
  EXPECT_NE(data.find("Content-Length: " + std::to_string(get.body.size()) + "\r\n"), std::string::npos)
      << data;
  EXPECT_TRUE(data.ends_with("\r\n\r\n")) << "no body after the head: " << data;
}

TEST(HttpServerShutdownTest, SigtermFinishesInFlightRequest) {
  ServerProcess server;
  RawSocket socket(server.port());
  std::string body = "{\"email\":\"someone@example.com\"}";
  socket.send("POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  server.signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(server.running()) << "must wait for the in-flight request";
  socket.send(body.substr(5));
  bool closed = false;
  auto response = socket.read_until_close(std::chrono::seconds(10), &closed);
  EXPECT_NE(response.find("HTTP/1.1 202"), std::string::npos) << response;
  EXPECT_EQ(server.wait_exit(), 0);
}

TEST(HttpServerShutdownTest, NewConnectionsAreRefusedAfterSigterm) {
  ServerProcess server;
  int port = server.port();
  EXPECT_EQ(server.terminate(), 0);
  EXPECT_THROW(RawSocket{port}, std::runtime_error);
}

}  // namespace
}  // namespace kefir::test
