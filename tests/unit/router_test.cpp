// Route matching: which template a path takes, its parameters, and the 404/405 answers when none fits.
#include <gtest/gtest.h>

#include <string>

#include "http/router.hpp"

namespace kefir::http {
namespace {

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    for (const char* pattern : {"/batches", "/batches/{id}", "/batches/{id}/events", "/me/reminders",
                                "/me/{anything}", "/app/{version}/{path+}", "/ingest/"})
      router_.add("GET", pattern, [](Request&) { return Response::text(200, "text/plain", "ok"); });
    router_.add("PATCH", "/batches/{id}", [](Request&) { return Response::text(200, "text/plain", "ok"); });
  }

  // The template that serves `path`, or the synthetic route's ("unmatched").
  std::string route_of(const std::string& method, const std::string& path) {
    request_ = {};
    request_.method = method;
    request_.path = path;
    router_.match(request_);
    return request_.route;
  }

  Router router_;
  Request request_;
};

TEST_F(RouterTest, APathTakesTheTemplateOfAsManySegments) {
  EXPECT_EQ(route_of("GET", "/batches"), "/batches");
  EXPECT_EQ(route_of("GET", "/batches/b1"), "/batches/{id}");
  EXPECT_EQ(request_.param("id"), "b1");
  EXPECT_EQ(route_of("GET", "/batches/b1/events"), "/batches/{id}/events");
  EXPECT_EQ(route_of("GET", "/batches/b1/events/e1"), "unmatched");
  EXPECT_EQ(route_of("GET", "/batches/"), "unmatched");  // an empty parameter matches nothing
  EXPECT_EQ(route_of("GET", "/ingest/"), "/ingest/");    // a template's own trailing slash is a segment
  EXPECT_EQ(route_of("GET", "/"), "unmatched");
  EXPECT_EQ(route_of("GET", "batches"), "unmatched");  // not a path
}

TEST_F(RouterTest, MoreLiteralSegmentsWin) {
  EXPECT_EQ(route_of("GET", "/me/reminders"), "/me/reminders");
  EXPECT_EQ(route_of("GET", "/me/devices"), "/me/{anything}");
}

TEST_F(RouterTest, AGreedyParameterTakesTheRestOfADeeperPath) {
  EXPECT_EQ(route_of("GET", "/app/v1/index.html"), "/app/{version}/{path+}");
  EXPECT_EQ(request_.param("path"), "index.html");
  EXPECT_EQ(route_of("GET", "/app/v1/css/screens/list.css"), "/app/{version}/{path+}");
  EXPECT_EQ(request_.param("path"), "css/screens/list.css");
  EXPECT_EQ(route_of("GET", "/app/v1/"), "unmatched");  // nothing for it to take
  EXPECT_EQ(route_of("GET", "/app/v1"), "unmatched");
}

TEST_F(RouterTest, AKnownPathWithAnotherMethodIs405AndAnUnknownOneIs404) {
  EXPECT_EQ(route_of("PATCH", "/batches/b1"), "/batches/{id}");
  EXPECT_EQ(route_of("HEAD", "/batches"), "/batches");  // HEAD is served as GET
  request_ = {};
  request_.method = "DELETE";
  request_.path = "/batches/b1";
  EXPECT_EQ(router_.handle(request_).status, 405);
  request_ = {};
  request_.method = "DELETE";
  request_.path = "/batches/b1/events/e1";
  EXPECT_EQ(router_.handle(request_).status, 404);
}

}  // namespace
}  // namespace kefir::http
