// A deleted account stays deleted and "sign out everywhere" holds (SPEC §2), on both stores: after DELETE /me
// every authenticated route refuses the old token, nothing new is stored for the user, and an object put
// through an upload URL issued before the deletion is swept; after DELETE /me/sessions the user's older
// access and refresh tokens are refused, a fresh sign-in works, and another instance refuses the old token
// within auth::kRevocationRecheck.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "app/adapters.hpp"
#include "app/app.hpp"
#include "auth/token_service.hpp"
#include "domain/keys.hpp"
#include "integration/batches_support.hpp"
#include "integration/photos_support.hpp"
#include "support/dynamodb_local.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::map<std::string, std::string> store_env(const std::string& store) {
  if (store == "dynamodb") return dynamodb_local_env(create_dynamodb_local_table());
  return {};
}

// Every authenticated route of the real router, its path parameters filled in (the batch id with a real one:
// authentication comes before any handler, so the others need only match).
std::vector<std::pair<std::string, std::string>> authenticated_requests(const std::string& batch_id) {
  TempDir data_dir;
  http::Router router;
  App app(load_config({{"DATA_DIR", data_dir.str()}}), router);
  std::vector<std::pair<std::string, std::string>> requests;
  for (const auto& route : router.routes()) {
    if (!route.options.authenticated) continue;
    std::string path;
    for (const auto& segment : route.segments) {
      bool parameter = segment.size() > 2 && segment.front() == '{';
      path += "/" + (segment == "{id}" ? batch_id : parameter ? std::string("x") : segment);
    }
    requests.emplace_back(route.method, path);
  }
  return requests;
}

HttpResponse refresh(const ServerProcess& server, const std::string& refresh_token) {
  return ApiClient(server.base_url()).post("/auth/refresh", {{"refreshToken", refresh_token}});
}

class AccountRevocation : public ::testing::TestWithParam<std::string> {};

TEST_P(AccountRevocation, ADeletedAccountsTokenIsRefusedEverywhereAndNothingOfItRemains) {
  auto env = store_env(GetParam());
  ServerConfig config;
  config.env = env;
  config.env["PHOTO_SWEEP_INTERVAL"] = "1";
  ServerProcess server(config);
  auto session = sign_in(server, unique_email("deleted"));
  ApiClient api(server.base_url(), session.access_token);
  auto batch_id = text(create_batch(api).at("batchId"));
  photos::Brewer brewer{session.user_id, api};
  auto upload = photos::request_upload(brewer, batch_id);

  ASSERT_EQ(api.del("/me").status, 204);

  auto requests = authenticated_requests(batch_id);
  ASSERT_GT(requests.size(), 20u) << "the router lists its routes";
  for (const auto& [method, path] : requests) {
    bool with_body = method == "POST" || method == "PUT" || method == "PATCH";
    auto answer = with_body ? api.raw(method, path, "{}", {{"Content-Type", "application/json"}})
                            : api.raw(method, path, "");
    EXPECT_EQ(answer.status, 401) << method << " " << path << ": " << answer.body;
  }
  EXPECT_EQ(refresh(server, session.refresh_token).status, 401);

  // The URL was signed before the deletion, so the blob endpoint may still take the bytes; the sweep then
  // removes what no PHOTO# item accounts for.
  auto put = photos::put_blob(upload.url, "image/jpeg", "jpeg bytes");
  EXPECT_TRUE(put.status == 200 || put.status == 403) << put.status << " " << put.body;
  auto object = std::filesystem::path(server.data_dir()) / "blobs" / upload.photo_key;
  for (int i = 0; i < 100 && std::filesystem::exists(object); ++i)
    std::this_thread::sleep_for(milliseconds(100));
  EXPECT_FALSE(std::filesystem::exists(object)) << "the sweep removes an object uploaded after the deletion";

  ASSERT_EQ(server.terminate(), 0);
  SystemClock clock;
  auto raw = env;
  raw["DATA_DIR"] = server.data_dir();
  auto store = make_item_store(load_config(raw), clock);
  store::Query user_items;
  user_items.partition = keys::user_pk(session.user_id);
  auto left = store->query(user_items).items;
  ASSERT_EQ(left.size(), 1u) << "only the revocation mark outlives the account";
  EXPECT_EQ(json_string(left.front(), "SK"), keys::tokens_not_before(session.user_id).sk);
  store::Query timeline;
  timeline.partition = keys::events_pk(batch_id);
  EXPECT_TRUE(store->query(timeline).items.empty());
}

TEST_P(AccountRevocation, SigningOutEverywhereRefusesEveryEarlierTokenAndASignInAfterwardsWorks) {
  ServerConfig config;
  config.env = store_env(GetParam());
  ServerProcess server(config);
  auto email = unique_email("everywhere");
  auto first = sign_in(server, email);
  auto rotated = refresh(server, first.refresh_token);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  ApiClient first_device(server.base_url(), first.access_token);
  ApiClient second_device(server.base_url(), text(rotated.json().at("accessToken")));
  auto second_refresh_token = text(rotated.json().at("refreshToken"));
  ASSERT_EQ(first_device.get("/me").status, 200);
  ASSERT_EQ(second_device.get("/me").status, 200);

  ASSERT_EQ(second_device.del("/me/sessions").status, 204);

  EXPECT_EQ(first_device.get("/me").status, 401);
  EXPECT_EQ(second_device.get("/me").status, 401);
  EXPECT_EQ(first_device.post("/batches", {{"name", "after sign-out"}, {"stage", "stage1_open"}}).status,
            401);
  EXPECT_EQ(refresh(server, second_refresh_token).status, 401);
  EXPECT_EQ(refresh(server, first.refresh_token).status, 401);

  auto again = sign_in(server, email);
  EXPECT_EQ(again.user_id, first.user_id);
  ApiClient fresh(server.base_url(), again.access_token);
  EXPECT_EQ(fresh.get("/me").status, 200);
  EXPECT_EQ(refresh(server, again.refresh_token).status, 200);
}

INSTANTIATE_TEST_SUITE_P(OnEachStore, AccountRevocation, ::testing::Values("sqlite", "dynamodb"),
                         [](const auto& info) { return info.param; });

// Two instances on one table: the one that did not write the mark learns of it from the store, within the
// documented recheck interval, though it had the token cached as valid.
TEST(ScaledOutRevocation, AnotherInstanceRefusesTheTokenWithinTheRecheckInterval) {
  ServerConfig config;
  config.env = dynamodb_local_env(create_dynamodb_local_table());
  config.env["JWT_PRIVATE_KEY"] = generate_rsa_pem();
  config.env["PUBLIC_BASE_URL"] = "http://kefir.test";
  ServerProcess first(config);
  ServerProcess second(config);
  auto session = sign_in(first, unique_email("instances"));
  ApiClient here(first.base_url(), session.access_token);
  ApiClient there(second.base_url(), session.access_token);
  ASSERT_EQ(there.get("/me").status, 200);  // now in the second instance's verified-token cache

  ASSERT_EQ(here.del("/me/sessions").status, 204);
  auto signed_out = std::chrono::steady_clock::now();
  EXPECT_EQ(here.get("/me").status, 401) << "the writing instance refuses at once";
  long status = 0;
  while (std::chrono::steady_clock::now() - signed_out < auth::kRevocationRecheck + seconds(3)) {
    status = there.get("/me").status;
    if (status == 401) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(status, 401);
  EXPECT_LE(std::chrono::steady_clock::now() - signed_out, auth::kRevocationRecheck + seconds(1));
}

}  // namespace
}  // namespace kefir::test
