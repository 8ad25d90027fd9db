// `kefir backup` and `kefir restore` through the real binary (SPEC §11): a snapshot taken while clients keep
// writing restores to a consistent store (every batch with the timeline note written in its transaction), and
// restore refuses a store that a running server has open.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "support/auth_helpers.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

using ::testing::HasSubstr;

constexpr const char* kIssuer = "http://127.0.0.1:18098";

std::vector<boost::json::object> all_batches(const ApiClient& api) {
  std::vector<boost::json::object> batches;
  std::string path = "/batches?limit=100";
  for (;;) {
    auto page = api.get(path);
    EXPECT_EQ(page.status, 200) << page.body;
    if (page.status != 200) break;
    auto body = page.json().as_object();
    for (const auto& batch : body.at("batches").as_array()) batches.push_back(batch.as_object());
    if (body.at("nextCursor").is_null()) break;
    path = "/batches?limit=100&cursor=" + std::string(body.at("nextCursor").as_string());
  }
  return batches;
}

TEST(BackupRestore, SnapshotUnderWriteLoadRestoresToAConsistentStore) {
  TempDir original_dir, restored_dir, backups;
  auto backup_file = (backups.path() / "kefir-backup.db").string();
  std::map<std::string, std::string> env = {
      {"DATA_DIR", original_dir.str()}, {"PUBLIC_BASE_URL", kIssuer}, {"THROTTLE_RATE", "0"}};
  ServerProcess server({.env = env});
  auto user = sign_in(server, unique_email("backup"));

  std::atomic<bool> stop{false};
  std::atomic<int> created{0}, failed{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      ApiClient api(server.base_url(), user.access_token);
      for (int i = 0; !stop; ++i) {
        auto response = api.post("/batches", {{"name", "Load " + std::to_string(w) + "-" + std::to_string(i)},
                                              {"stage", "stage1_open"}});
        (response.status == 201 ? created : failed)++;
      }
    });
  }
  auto wait_for_created = [&](int count) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (created < count && failed == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  };
  wait_for_created(50);
  auto backup = run_kefir({"backup", backup_file}, env);
  int created_at_backup_end = created;
  wait_for_created(created_at_backup_end + 50);
  stop = true;
  for (auto& writer : writers) writer.join();
  ASSERT_GE(created, created_at_backup_end + 50) << "the writers stalled";
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_THAT(backup.out, HasSubstr(backup_file));
  EXPECT_EQ(failed, 0);
  ASSERT_EQ(server.terminate(), 0);

  // The restored store runs with the original signing key, so the same token reads it.
  std::filesystem::copy_file(original_dir.path() / "jwt-signing-key.pem",
                             restored_dir.path() / "jwt-signing-key.pem");
  std::map<std::string, std::string> restored_env = {{"DATA_DIR", restored_dir.str()},
                                                     {"PUBLIC_BASE_URL", kIssuer}};
  auto restore = run_kefir({"restore", backup_file}, restored_env);
  ASSERT_EQ(restore.exit_code, 0) << restore.err;

  ServerProcess restored({.env = restored_env});
  ApiClient api(restored.base_url(), user.access_token);
  auto batches = all_batches(api);
  EXPECT_GE(batches.size(), 50u);
  EXPECT_LT(batches.size(), static_cast<std::size_t>(created.load()))
      << "writes after the backup are not in it";
  std::set<std::string> names;
  for (const auto& batch : batches) {
    names.insert(std::string(batch.at("name").as_string()));
    auto events = api.get("/batches/" + std::string(batch.at("batchId").as_string()) + "/events");
    ASSERT_EQ(events.status, 200);
    auto timeline = events.json().as_object().at("events").as_array();
    ASSERT_EQ(timeline.size(), 1u) << "batch and its first event are one transaction";
    EXPECT_EQ(timeline[0].as_object().at("type"), "note");
  }
  EXPECT_EQ(names.size(), batches.size());
}

TEST(BackupRestore, RestoreRefusesWhileTheStoreIsServedAndRejectsGarbage) {
  TempDir data_dir, backups;
  std::map<std::string, std::string> env = {{"DATA_DIR", data_dir.str()}};
  auto backup_file = (backups.path() / "b.db").string();
  ServerProcess server({.env = env});
  ASSERT_EQ(run_kefir({"backup", backup_file}, env).exit_code, 0);

  auto busy = run_kefir({"restore", backup_file}, env);
  EXPECT_NE(busy.exit_code, 0);
  EXPECT_THAT(busy.err, HasSubstr("restore"));
  EXPECT_EQ(send({.url = server.base_url() + "/readyz"}).status, 200);
  ASSERT_EQ(server.terminate(), 0);

  auto garbage = (backups.path() / "garbage.db").string();
  std::ofstream(garbage) << "not a database";
  auto bad = run_kefir({"restore", garbage}, env);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("garbage.db"));
  EXPECT_EQ(run_kefir({"restore", backup_file}, env).exit_code, 0);
}

TEST(BackupRestore, BackupWithoutAStoreSaysSo) {
  TempDir data_dir, backups;
  auto result = run_kefir({"backup", (backups.path() / "x.db").string()}, {{"DATA_DIR", data_dir.str()}});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("no store"));
  EXPECT_FALSE(std::filesystem::exists(backups.path() / "x.db"));
}

}  // namespace
}  // namespace kefir::test
