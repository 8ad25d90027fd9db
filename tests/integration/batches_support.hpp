#pragma once
// Shared by the batch, event, device, idempotency and isolation suites: one real `kefir serve` per suite, a
// fresh signed-in user per test (the sign-in rate limits allow a few dozen per minute per suite), and small
// readers of the API's answers.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "support/auth_helpers.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace kefir::test {

namespace json = boost::json;

struct User {
  std::string user_id;
  ApiClient api;
};

class CoreApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<ServerProcess>(); }
  static void TearDownTestSuite() { server_.reset(); }

  static ServerProcess& server() { return *server_; }
  static User sign_in_user(const std::string& prefix = "core") {
    auto signed_in = sign_in(*server_, unique_email(prefix));
    return {signed_in.user_id, ApiClient(server_->base_url(), signed_in.access_token)};
  }

  inline static std::unique_ptr<ServerProcess> server_;
};

// The `field` of every VALIDATION_ERROR detail, in order; fails the test when the answer is not one.
inline std::vector<std::string> problem_fields(const HttpResponse& response) {
  std::vector<std::string> fields;
  EXPECT_EQ(response.status, 400) << response.body;
  if (response.status != 400) return fields;
  auto body = response.json().as_object();
  EXPECT_EQ(body.at("code"), "VALIDATION_ERROR") << response.body;
  if (auto* details = body.if_contains("details"))
    for (const auto& detail : details->as_array()) fields.emplace_back(detail.at("field").as_string());
  return fields;
}

inline std::string error_code(const HttpResponse& response) {
  auto body = response.json();
  return body.is_object() && body.as_object().contains("code") ? std::string(body.at("code").as_string())
                                                               : "";
}

// The cursor with the character at `i` changed in its high bit (base64url), so the decoded bytes change too.
inline std::string tampered(std::string cursor, std::size_t i) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  auto value = alphabet.find(cursor[i]);
  cursor[i] = value == std::string::npos ? 'A' : alphabet[value ^ 32];
  return cursor;
}

inline std::string text(const json::value& value) {
  return std::string(value.as_string());
}

// POST /batches with a name and stage unless given; returns the created batch.
inline json::object create_batch(const ApiClient& api, json::object body = {}) {
  if (!body.contains("name")) body["name"] = "Test batch";
  if (!body.contains("stage")) body["stage"] = "stage1_open";
  auto response = api.post("/batches", body);
  EXPECT_EQ(response.status, 201) << response.body;
  if (response.status != 201) return {};
  return response.json().at("batch").as_object();
}

// The user's reminder with this id as GET /me/reminders?includeAll=true lists it; fails the test when absent.
inline json::object listed_reminder(const ApiClient& api, const std::string& reminder_id) {
  const auto listed = api.get("/me/reminders?includeAll=true").json();
  for (const auto& r : listed.at("reminders").as_array())
    if (r.at("reminderId").as_string() == reminder_id) return r.as_object();
  ADD_FAILURE() << "reminder " << reminder_id << " not listed";
  return {};
}

// Every item of a list endpoint, following nextCursor; `key` names the array ("batches", "events"...).
inline std::vector<json::object> list_all(const ApiClient& api, const std::string& path,
                                          const std::string& key, int limit) {
  std::vector<json::object> items;
  std::string cursor;
  auto separator = path.find('?') == std::string::npos ? "?" : "&";
  for (int pages = 0; pages < 10000; ++pages) {
    auto url = path + separator + "limit=" + std::to_string(limit);
    if (!cursor.empty()) url += "&cursor=" + cursor;
    auto response = api.get(url);
    EXPECT_EQ(response.status, 200) << url << " " << response.body;
    if (response.status != 200) break;
    auto body = response.json().as_object();
    const auto& page = body.at(key).as_array();
    EXPECT_EQ(body.at("count").to_number<std::size_t>(), page.size());
    EXPECT_LE(page.size(), static_cast<std::size_t>(limit));
    for (const auto& item : page) items.push_back(item.as_object());
    if (body.at("nextCursor").is_null()) return items;
    EXPECT_EQ(page.size(), static_cast<std::size_t>(limit)) << "a short page must be the last";
    cursor = text(body.at("nextCursor"));
  }
  ADD_FAILURE() << "paging did not end";
  return items;
}

}  // namespace kefir::test
