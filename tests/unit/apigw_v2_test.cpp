// API Gateway HTTP API payload 2.0 <-> http::Request / http::Response, on the event AWS documents and on
// events and responses built to probe each rule.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/errors.hpp"
#include "lambda/apigw_v2.hpp"
#include "support/test_env.hpp"
#include "util/crypto.hpp"

namespace kefir::lambda {
namespace {

json::object fixture(const std::string& name) {
  std::ifstream in(std::filesystem::path(KEFIR_SOURCE_DIR) / "tests/fixtures/lambda" / name);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str()).as_object();
}

json::object get_event(const std::string& raw_path, const std::string& raw_query = "") {
  auto event = fixture("aws-doc-example.json");
  event["rawPath"] = raw_path;
  event["rawQueryString"] = raw_query;
  event["requestContext"].as_object()["http"].as_object()["method"] = "GET";
  event.erase("body");
  event.erase("cookies");
  return event;
}

TEST(ApigwV2Request, MapsTheDocumentedExampleEvent) {
  auto request = request_from_event(fixture("aws-doc-example.json"));
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/my/path");
  EXPECT_EQ(request.query_string, "parameter1=value1&parameter1=value2&parameter2=value");
  EXPECT_EQ(request.target, "/my/path?parameter1=value1&parameter1=value2&parameter2=value");
  EXPECT_EQ(request.header("header1"), "value1");
  EXPECT_EQ(request.header("header2"), "value1,value2");
  EXPECT_EQ(request.header("cookie"), "cookie1; cookie2");
  EXPECT_EQ(request.client_ip, "192.0.2.1");
  EXPECT_EQ(request.header("x-request-id"), "id");
  EXPECT_EQ(request.body, "Hello from Lambda");
}

TEST(ApigwV2Request, RepeatedQueryKeysComeFromRawQueryStringNotTheCommaJoinedMap) {
  auto request = request_from_event(fixture("aws-doc-example.json"));
  EXPECT_EQ(request.query_all("parameter1"), (std::vector<std::string>{"value1", "value2"}));
  EXPECT_EQ(request.query("parameter1"), "value1");
}

TEST(ApigwV2Request, DecodesBase64BodiesAndRejectsBadOnes) {
  auto event = fixture("aws-doc-example.json");
  std::string binary("\x89PNG\r\n\x1a\n\0\xff", 10);
  event["body"] = crypto::base64_encode(binary);
  event["isBase64Encoded"] = true;
  EXPECT_EQ(request_from_event(event).body, binary);
  event["body"] = "not base64!";
  EXPECT_THROW(request_from_event(event), InvalidEvent);
}

TEST(ApigwV2Request, PercentDecodesThePathButKeepsTheRawTarget) {
  auto request = request_from_event(get_event("/b/caf%C3%A9%20x", "q=a%26b"));
  EXPECT_EQ(request.path, "/b/café x");
  EXPECT_EQ(request.target, "/b/caf%C3%A9%20x?q=a%26b");
  EXPECT_EQ(request.query("q"), "a&b");
}

TEST(ApigwV2Request, LowerCasesHeaderNamesAndMethod) {
  auto event = get_event("/healthz");
  event["headers"] = json::object{{"X-Request-Id", "abc-123"}, {"Content-Type", "application/json"}};
  event["requestContext"].as_object()["http"].as_object()["method"] = "get";
  auto request = request_from_event(event);
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.header("x-request-id"), "abc-123");
  EXPECT_EQ(request.header("content-type"), "application/json");
}

TEST(ApigwV2Request, GatewayRequestIdWithoutPaddingBecomesTheRequestId) {
  auto event = get_event("/healthz");
  event["requestContext"].as_object()["requestId"] = "JKJaXmPLvHcESHA=";
  EXPECT_EQ(request_from_event(event).header("x-request-id"), "JKJaXmPLvHcESHA");
  event["headers"].as_object()["x-request-id"] = "client-chosen";
  EXPECT_EQ(request_from_event(event).header("x-request-id"), "client-chosen");
}

TEST(ApigwV2Request, NamedStagePrefixIsRemoved) {
  auto event = get_event("/prod/batches/1");
  event["requestContext"].as_object()["stage"] = "prod";
  EXPECT_EQ(request_from_event(event).path, "/batches/1");
  event["rawPath"] = "/production";
  EXPECT_EQ(request_from_event(event).path, "/production");
}

TEST(ApigwV2Request, RejectsEventsThatAreNotPayload2) {
  EXPECT_THROW(request_from_event(fixture("eventbridge-scheduled.json")), InvalidEvent);
  EXPECT_THROW(request_from_event(json::array{}), InvalidEvent);
  auto event = fixture("aws-doc-example.json");
  event["requestContext"].as_object().erase("http");
  EXPECT_THROW(request_from_event(event), InvalidEvent);
  event = fixture("aws-doc-example.json");
  event["rawPath"] = 5;
  EXPECT_THROW(request_from_event(event), InvalidEvent);
}

TEST(ApigwV2Response, JsonBodyTravelsAsText) {
  auto response = http::Response::json(201, json::object{{"batch", json::object{{"name", "Café ☕"}}}});
  response.set_header("x-request-id", "r1");
  auto result = result_from_response(response, false);
  EXPECT_EQ(result.at("statusCode"), 201);
  EXPECT_EQ(result.at("headers").at("content-type"), "application/json");
  EXPECT_EQ(result.at("headers").at("x-request-id"), "r1");
  EXPECT_EQ(result.at("isBase64Encoded"), false);
  EXPECT_EQ(json::parse(result.at("body").as_string()).at("batch").at("name"), "Café ☕");
  EXPECT_FALSE(result.contains("cookies"));
}

TEST(ApigwV2Response, BinaryBodiesTravelAsBase64) {
  std::string png("\x89PNG\r\n\x1a\n\0\x01", 10);
  auto result = result_from_response(http::Response::text(200, "image/png", png), false);
  EXPECT_EQ(result.at("isBase64Encoded"), true);
  std::string decoded;
  ASSERT_TRUE(crypto::base64_decode(result.at("body").as_string(), decoded));
  EXPECT_EQ(decoded, png);
  // Declared as text but not UTF-8: only base64 keeps the bytes.
  auto latin1 = result_from_response(http::Response::text(200, "text/plain", "caf\xe9"), false);
  EXPECT_EQ(latin1.at("isBase64Encoded"), true);
  auto svg = result_from_response(http::Response::text(200, "image/svg+xml", "<svg/>"), false);
  EXPECT_EQ(svg.at("isBase64Encoded"), false);
  EXPECT_EQ(svg.at("body"), "<svg/>");
}

TEST(ApigwV2Response, SetCookieBecomesCookiesAndRepeatedHeadersAreJoined) {
  http::Response response = http::Response::no_content();
  response.headers.emplace_back("set-cookie", "a=1; Path=/");
  response.headers.emplace_back("Set-Cookie", "b=2; HttpOnly");
  response.headers.emplace_back("vary", "Origin");
  response.headers.emplace_back("vary", "Accept-Encoding");
  auto result = result_from_response(response, false);
  EXPECT_EQ(result.at("cookies"), (json::array{"a=1; Path=/", "b=2; HttpOnly"}));
  EXPECT_EQ(result.at("headers").at("vary"), "Origin,Accept-Encoding");
  EXPECT_FALSE(result.at("headers").as_object().contains("set-cookie"));
  EXPECT_EQ(result.at("statusCode"), 204);
  EXPECT_EQ(result.at("body"), "");
}

TEST(ApigwV2Response, HeadDropsTheBody) {
  auto result = result_from_response(http::Response::text(200, "text/plain", "hello"), true);
  EXPECT_EQ(result.at("body"), "");
  EXPECT_EQ(result.at("headers").at("content-type"), "text/plain");
}

TEST(Utf8, AcceptsValidAndRejectsMalformedSequences) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x8d\xba"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xff"));
}

TEST(ContentTypes, TextualTypesAreRecognised) {
  EXPECT_TRUE(is_text_content_type("application/json"));
  EXPECT_TRUE(is_text_content_type("text/csv; charset=utf-8"));
  EXPECT_TRUE(is_text_content_type("Text/HTML"));
  EXPECT_TRUE(is_text_content_type("application/problem+json"));
  EXPECT_FALSE(is_text_content_type("image/jpeg"));
  EXPECT_FALSE(is_text_content_type("application/octet-stream"));
  EXPECT_FALSE(is_text_content_type(""));
}

class ServeEvent : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("POST", "/echo",
                [](http::Request& request) { return http::Response::text(200, "text/plain", request.body); },
                {.authenticated = false, .max_body = 16});
    router_.add("PUT", "/upload/{name}",
                [this](http::Request& request) {
                  seen_file_ = request.body_file;
                  std::ifstream in(request.body_file, std::ios::binary);
                  std::stringstream content;
                  content << in.rdbuf();
                  return http::Response::text(200, "text/plain", std::to_string(content.str().size()));
                },
                {.authenticated = false, .max_body = 1 << 20, .body_to_file = true});
    router_.add("GET", "/stream/{count}", [](http::Request& request) {
      int remaining = std::stoi(std::string(request.param("count")));
      http::Response response = http::Response::text(200, "text/csv", "");
      response.stream = [remaining]() mutable -> std::optional<std::string> {
        if (remaining-- <= 0) return std::nullopt;
        return std::string("row,of,data\n");
      };
      return response;
    });
    options_.upload_dir = dir_.path() / "uploads";
  }

  json::object serve(const std::string& method, const std::string& path, const std::string& body = "") {
    auto event = get_event(path);
    event["requestContext"].as_object()["http"].as_object()["method"] = method;
    event["body"] = crypto::base64_encode(body);
    event["isBase64Encoded"] = true;
    return serve_event(router_, event, options_);
  }

  test::TempDir dir_;
  http::Router router_;
  ServeOptions options_;
  std::string seen_file_;
};

TEST_F(ServeEvent, BodiesOverTheRouteLimitGet413) {
  EXPECT_EQ(serve("POST", "/echo", "0123456789abcdef").at("statusCode"), 200);
  auto result = serve("POST", "/echo", "0123456789abcdefX");
  EXPECT_EQ(result.at("statusCode"), 413);
  EXPECT_EQ(json::parse(result.at("body").as_string()).at("code"), "PAYLOAD_TOO_LARGE");
}

TEST_F(ServeEvent, FileBodiesAreWrittenForTheHandlerAndRemovedAfter) {
  std::string content(100000, 'x');
  auto result = serve("PUT", "/upload/photo.jpg", content);
  EXPECT_EQ(result.at("statusCode"), 200);
  EXPECT_EQ(result.at("body"), "100000");
  ASSERT_FALSE(seen_file_.empty());
  EXPECT_FALSE(std::filesystem::exists(seen_file_));
}

TEST_F(ServeEvent, StreamedResponsesAreBuffered) {
  auto result = serve("GET", "/stream/3");
  EXPECT_EQ(result.at("statusCode"), 200);
  EXPECT_EQ(result.at("body"), "row,of,data\nrow,of,data\nrow,of,data\n");
}

TEST_F(ServeEvent, ResponsesBeyondLambdasLimitBecome500) {
  options_.max_result_bytes = 1000;
  auto result = serve("GET", "/stream/1000");
  EXPECT_EQ(result.at("statusCode"), 500);
  EXPECT_EQ(json::parse(result.at("body").as_string()).at("code"), "INTERNAL");
}

TEST_F(ServeEvent, UnknownRoutesAndMethodsGetTheRoutersAnswers) {
  auto missing = serve("GET", "/nowhere");
  EXPECT_EQ(missing.at("statusCode"), 404);
  EXPECT_EQ(json::parse(missing.at("body").as_string()).at("code"), "NOT_FOUND");
  EXPECT_EQ(serve("DELETE", "/echo").at("statusCode"), 405);
}

}  // namespace
}  // namespace kefir::lambda
