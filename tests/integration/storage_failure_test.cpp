// A full disk under the SQLite store (SPEC §10, §1): /readyz says 503 while writes cannot succeed and 200
// again once space returns; writes meanwhile answer 503 UNAVAILABLE with Retry-After, never 500. The disk is
// a small tmpfs mounted for the test (root only; skipped, saying so, where mounting is not allowed).
#include <sys/mount.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "integration/batches_support.hpp"
#include "integration/photos_support.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

using std::chrono::milliseconds;

class SmallTmpfs {
 public:
  explicit SmallTmpfs(std::size_t megabytes) {
    std::string options = "size=" + std::to_string(megabytes) + "m";
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0)
      mounted_ = true;
    else
      error_ = std::strerror(errno);
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  std::filesystem::path path() const { return dir_.path(); }

 private:
  TempDir dir_;
  bool mounted_ = false;
  std::string error_;
};

// Writes zeros to `file` until the filesystem refuses more.
void fill_up(const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary);
  const std::string chunk(64 * 1024, '\0');
  while (out.write(chunk.data(), static_cast<std::streamsize>(chunk.size())) && out.flush()) {
  }
}

long readiness(const ServerProcess& server) {
  return ApiClient(server.base_url()).get("/readyz").status;
}

TEST(StorageFailure, ReadinessAndWritesTellTheTruthOnAFullDiskAndRecover) {
  SmallTmpfs disk(32);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << disk.error();
  ServerConfig config;
  config.env["DATA_DIR"] = (disk.path() / "data").string();
  ServerProcess server(config);
  auto session = sign_in(server, unique_email("fulldisk"));
  ApiClient api(server.base_url(), session.access_token);
  ASSERT_EQ(readiness(server), 200);
  auto upload = photos::request_upload({session.user_id, api}, text(create_batch(api).at("batchId")));

  auto filler = disk.path() / "filler";
  fill_up(filler);
  EXPECT_EQ(readiness(server), 503);
  int unavailable = 0;
  for (int i = 0; i < 40; ++i) {
    auto answer = api.post("/batches", {{"name", "on a full disk"},
                                        {"stage", "stage1_open"},
                                        {"notes", std::string(1000, static_cast<char>('a' + i % 26))}});
    ASSERT_TRUE(answer.status == 201 || answer.status == 503) << answer.status << " " << answer.body;
    if (answer.status != 503) continue;
    ++unavailable;
    EXPECT_EQ(error_code(answer), "UNAVAILABLE");
    EXPECT_FALSE(answer.header("retry-after").empty());
  }
  EXPECT_GT(unavailable, 0) << "writes that need space cannot succeed";
  auto photo = photos::put_blob(upload.url, "image/jpeg", std::string(2 << 20, 'j'));
  EXPECT_EQ(photo.status, 503) << photo.body;
  EXPECT_FALSE(photo.header("retry-after").empty());
  EXPECT_EQ(api.get("/batches").status, 200) << "reads go on";

  std::filesystem::remove(filler);
  long ready = 0;
  for (int i = 0; i < 50 && (ready = readiness(server)) != 200; ++i)
    std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(ready, 200);
  EXPECT_EQ(api.post("/batches", {{"name", "after"}, {"stage", "stage1_open"}}).status, 201);
  EXPECT_EQ(server.terminate(), 0);
}

// Overwrites every other page of the middle half of a SQLite file (never the header and schema page) with
// bytes SQLite rejects, so that reading the user's items meets some of them.
void damage_pages(const std::filesystem::path& db) {
  constexpr std::size_t kPage = 4096;
  auto pages = std::filesystem::file_size(db) / kPage;
  ASSERT_GT(pages, 16u) << "the database is too small to damage";
  std::fstream file(db, std::ios::in | std::ios::out | std::ios::binary);
  const std::string garbage(kPage, static_cast<char>(0xA5));
  for (auto page = pages / 4; page < pages * 3 / 4; page += 2) {
    file.seekp(static_cast<std::streamoff>(page * kPage));
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  ASSERT_TRUE(file.flush());
}

TEST(StorageFailure, DamagedDatabasePagesAnswer503AndReadinessSaysSo) {
  TempDir data;
  ServerConfig config;
  config.env["DATA_DIR"] = data.str();
  config.env["PUBLIC_BASE_URL"] = "http://kefir.test";  // the tokens' issuer, kept across the restart
  std::string token;
  {
    ServerProcess server(config);
    token = sign_in(server, unique_email("damaged")).access_token;
    ApiClient api(server.base_url(), token);
    for (int i = 0; i < 200; ++i)
      ASSERT_EQ(api.post("/batches", {{"name", "batch " + std::to_string(i)},
                                      {"stage", "stage1_open"},
                                      {"notes", std::string(1000, 'n')}})
                    .status,
                201);
    ASSERT_EQ(server.terminate(), 0);  // checkpoints the WAL into the database file
  }
  damage_pages(data.path() / "kefir.db");

  ServerProcess server(config);
  ApiClient api(server.base_url(), token);
  int unavailable = 0;
  std::string cursor;
  for (int page = 0; page < 20; ++page) {
    auto answer = api.get("/batches?limit=20" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_TRUE(answer.status == 200 || answer.status == 503) << answer.status << " " << answer.body;
    if (answer.status == 503) {
      ++unavailable;
      EXPECT_EQ(error_code(answer), "UNAVAILABLE");
      EXPECT_FALSE(answer.header("retry-after").empty());
      break;
    }
    auto next = answer.json().at("nextCursor");
    if (next.is_null()) break;
    cursor = text(next);
  }
  EXPECT_GT(unavailable, 0) << "reading through the damaged pages fails";
  EXPECT_EQ(readiness(server), 503);
}

}  // namespace
}  // namespace kefir::test
