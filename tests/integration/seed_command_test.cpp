// `kefir seed` through the real binary (SPEC §11): the seed user test123 with two batches (one active in
// stage 1, one in the fridge), their events and pending reminders; a usable token in dev only; running it
// again changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "support/auth_helpers.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"
#include "util/web_push_crypto.hpp"

namespace kefir::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kIssuer = "http://127.0.0.1:18099";  // tokens are bound to it; the port is not used

std::string token_from(const std::string& seed_output) {
  const std::string marker = "export KEFIR_TOKEN=";
  auto at = seed_output.find(marker);
  if (at == std::string::npos) return "";
  at += marker.size();
  return seed_output.substr(at, seed_output.find('\n', at) - at);
}

// What the seed user sees through the API: batches, and per batch its events and reminders.
struct SeedView {
  std::map<std::string, boost::json::object> batches_by_name;
  std::map<std::string, std::size_t> events_by_name;
  std::map<std::string, std::size_t> reminders_by_name;
};

SeedView view(const ApiClient& api) {
  SeedView seen;
  for (const char* status : {"active", "in_fridge", "ready", "archived"}) {
    auto listed = api.get(std::string("/batches?status=") + status);
    EXPECT_EQ(listed.status, 200) << listed.body;
    auto body = listed.json();
    for (const auto& batch : body.at("batches").as_array()) {
      auto object = batch.as_object();
      std::string name(object.at("name").as_string());
      std::string id(object.at("batchId").as_string());
      seen.batches_by_name[name] = object;
      seen.events_by_name[name] =
          api.get("/batches/" + id + "/events?limit=100").json().as_object().at("events").as_array().size();
      seen.reminders_by_name[name] =
          api.get("/batches/" + id + "/reminders").json().as_object().at("reminders").as_array().size();
    }
  }
  return seen;
}

TEST(SeedCommand, WritesTheSeedDataOnceAndPrintsAWorkingDevToken) {
  TempDir data_dir;
  std::map<std::string, std::string> env = {{"DATA_DIR", data_dir.str()}, {"PUBLIC_BASE_URL", kIssuer}};
  auto first = run_kefir({"seed"}, env);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("2 batches created, 0 already present"));
  auto token = token_from(first.out);
  ASSERT_FALSE(token.empty()) << first.out;
  EXPECT_EQ(jwt_claims(token).at("sub"), "test123");

  ServerProcess server({.env = env});
  ApiClient api(server.base_url(), token);
  auto me = api.get("/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().as_object().at("user").as_object().at("email"), "test@example.com");

  auto before = view(api);
  ASSERT_EQ(before.batches_by_name.size(), 2u);
  std::map<std::string, std::string> statuses;
  for (const auto& [name, batch] : before.batches_by_name)
    statuses[std::string(batch.at("status").as_string())] = std::string(batch.at("stage").as_string());
  EXPECT_EQ(statuses["active"], "stage1_open");
  EXPECT_TRUE(statuses.contains("in_fridge"));
  for (const auto& [name, count] : before.events_by_name) EXPECT_GE(count, 3u) << name;
  std::size_t reminders = 0;
  for (const auto& [name, count] : before.reminders_by_name) reminders += count;
  EXPECT_GE(reminders, 2u);
  auto pending = api.get("/me/reminders");
  EXPECT_EQ(pending.json().as_object().at("reminders").as_array().size(), reminders);

  // Again, while the server runs: nothing new, nothing changed.
  auto second = run_kefir({"seed"}, env);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("0 batches created, 2 already present"));
  auto after = view(api);
  EXPECT_EQ(after.events_by_name, before.events_by_name);
  EXPECT_EQ(after.reminders_by_name, before.reminders_by_name);
  for (const auto& [name, batch] : before.batches_by_name)
    EXPECT_EQ(after.batches_by_name.at(name), batch) << name;
}

TEST(SeedCommand, ProdSeedsButPrintsNoToken) {
  TempDir data_dir, keys;
  auto key_file = (keys.path() / "key.pem").string();
  std::ofstream(key_file) << generate_rsa_pem();
  auto result = run_kefir({"seed"}, {{"STAGE", "prod"},
                                     {"DATA_DIR", data_dir.str()},
                                     {"JWT_PRIVATE_KEY_FILE", key_file},
                                     {"VAPID_PRIVATE_KEY", webpush::P256Key::generate().private_pem()},
                                     {"SMTP_URL", "smtp://127.0.0.1:9"},
                                     {"PUBLIC_BASE_URL", "https://api.kefirproducer.com"}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("2 batches created"));
  EXPECT_THAT(result.out, Not(HasSubstr("KEFIR_TOKEN")));
  EXPECT_EQ(token_from(result.out), "");
}

}  // namespace
}  // namespace kefir::test
