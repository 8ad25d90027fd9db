// The photo lifecycle sweep (SPEC §7) on a real SQLite store and blob directory: unattached uploads go after
// 7 days, every photo after PHOTO_RETENTION_DAYS (0 keeps them), generated exports after a day, objects
// without a PHOTO# item at once, renditions whose photo is gone too.
#include "adapters/fs/fs_blob_store.hpp"
#include "app/adapters.hpp"
#include "domain/keys.hpp"
#include "domain/photo.hpp"
#include "integration/photos_support.hpp"
#include "jobs/photo_sweeper.hpp"
#include "util/ids.hpp"

namespace kefir::test::photos {
namespace {

class SteppingClock final : public Clock {
 public:
  TimePoint now() const override { return now_; }
  void set(TimePoint t) { now_ = t; }

 private:
  TimePoint now_ = from_epoch_millis(1'767'225'600'000);  // 2026-01-01T00:00:00Z
};

constexpr std::string_view kBatch = "01941f29-7c00-7000-8000-000000000001";

class PhotoSweep : public ::testing::Test {
 protected:
  TempDir dir;
  AppContext ctx;
  SteppingClock& clock = install_clock();
  TimePoint start = clock.now();

  SteppingClock& install_clock() {
    auto owned = std::make_unique<SteppingClock>();
    auto& installed = *owned;
    ctx.clock = std::move(owned);
    return installed;
  }

  void SetUp() override {
    ctx.config.data_dir = dir.str();
    ctx.store = make_item_store(ctx.config, clock);
    ctx.blobs = std::make_unique<blob::FsBlobStore>(dir.path() / "blobs", "http://127.0.0.1:1", "key", clock);
  }

  blob::FsBlobStore& blobs() { return static_cast<blob::FsBlobStore&>(*ctx.blobs); }

  // An upload at `when` with its PHOTO# item; attached or left pending.
  std::string upload(TimePoint when, bool attached) {
    clock.set(when);
    auto key = photo::make_key("user-1", kBatch, uuid_v4() + ".jpg");
    auto file = dir.path() / ("upload-" + unique_suffix());
    write_file(file, "jpeg");
    blobs().accept_upload(key, "image/jpeg", file.string());
    if (attached) blobs().mark_attached(key);
    auto item_key = keys::photo("user-1", key);
    ctx.store->put({{"PK", item_key.pk}, {"SK", item_key.sk}, {"photoKey", key}});
    return key;
  }

  bool exists(const std::string& key) {
    return blobs().head(key).has_value() && ctx.store->get(keys::photo("user-1", key)).has_value();
  }
  bool gone(const std::string& key) {
    return !blobs().head(key).has_value() && !ctx.store->get(keys::photo("user-1", key)).has_value();
  }
};

TEST_F(PhotoSweep, UnattachedUploadsGoAfterSevenDays) {
  ctx.config.photo_retention_days = 365;
  jobs::PhotoSweeper sweeper(ctx);
  auto abandoned = upload(start, false);
  auto attached = upload(start, true);
  auto recent = upload(start + hours(24), false);

  auto summary = sweeper.run_once(start + hours(7 * 24) - seconds(1));
  EXPECT_EQ(summary.abandoned, 0u);
  EXPECT_TRUE(exists(abandoned));

  summary = sweeper.run_once(start + hours(7 * 24));
  EXPECT_EQ(summary.abandoned, 1u);
  EXPECT_EQ(summary.expired, 0u);
  EXPECT_TRUE(gone(abandoned));
  EXPECT_TRUE(exists(attached));
  EXPECT_TRUE(exists(recent));
}

TEST_F(PhotoSweep, PhotosGoAfterTheRetention) {
  ctx.config.photo_retention_days = 30;
  jobs::PhotoSweeper sweeper(ctx);
  auto old_photo = upload(start, true);
  auto young_photo = upload(start + hours(24 * 10), true);
  auto summary = sweeper.run_once(start + hours(24 * 30));
  EXPECT_EQ(summary.expired, 1u);
  EXPECT_TRUE(gone(old_photo));
  EXPECT_TRUE(exists(young_photo));
}

TEST_F(PhotoSweep, RetentionZeroKeepsPhotos) {
  ctx.config.photo_retention_days = 0;
  jobs::PhotoSweeper sweeper(ctx);
  auto attached = upload(start, true);
  auto abandoned = upload(start, false);
  auto summary = sweeper.run_once(start + hours(24 * 3650));
  EXPECT_EQ(summary.expired, 0u);
  EXPECT_TRUE(exists(attached));
  EXPECT_TRUE(gone(abandoned));  // the 7-day rule for unattached uploads still applies
}

TEST_F(PhotoSweep, ObjectsWithoutAPhotoItemGoAtOnce) {
  jobs::PhotoSweeper sweeper(ctx);
  auto kept = upload(start, false);
  auto orphan = upload(start, true);
  ctx.store->remove(keys::photo("user-1", orphan));  // as when its batch or account was deleted
  auto summary = sweeper.run_once(start + seconds(1));
  EXPECT_EQ(summary.orphaned, 1u);
  EXPECT_EQ(summary.abandoned + summary.expired, 0u);
  EXPECT_FALSE(blobs().head(orphan));
  EXPECT_TRUE(exists(kept));
}

TEST_F(PhotoSweep, RenditionsWhosePhotoIsGoneGoAtOnce) {
  jobs::PhotoSweeper sweeper(ctx);
  auto kept = upload(start, true);
  auto deleted = upload(start, true);
  auto file = dir.path() / "rendition";
  write_file(file, "rendition");
  for (const auto& key : {kept, deleted})
    for (auto rendition : photo::kRenditions)
      blobs().put_file(photo::rendition_key(key, rendition),
                       std::string(photo::content_type_of(rendition.format)), file.string());
  // As when deleting the photo stopped after its item and original went.
  ctx.store->remove(keys::photo("user-1", deleted));
  blobs().remove(deleted);
  auto summary = sweeper.run_once(start + seconds(1));
  EXPECT_EQ(summary.orphaned_renditions, photo::kRenditions.size());
  EXPECT_EQ(summary.orphaned + summary.abandoned + summary.expired, 0u);
  for (auto rendition : photo::kRenditions) {
    EXPECT_FALSE(blobs().head(photo::rendition_key(deleted, rendition)));
    EXPECT_TRUE(blobs().head(photo::rendition_key(kept, rendition)));
  }
  EXPECT_TRUE(exists(kept));
}

TEST_F(PhotoSweep, GeneratedExportsGoAfterADay) {
  jobs::PhotoSweeper sweeper(ctx);
  auto file = dir.path() / "export.csv";
  write_file(file, "a\r\n");
  clock.set(start);
  blobs().put_file("exports/user-1/old.csv", "text/csv", file.string());
  clock.set(start + hours(12));
  blobs().put_file("exports/user-1/new.csv", "text/csv", file.string());
  auto summary = sweeper.run_once(start + hours(24));
  EXPECT_EQ(summary.exports, 1u);
  EXPECT_FALSE(blobs().head("exports/user-1/old.csv"));
  EXPECT_TRUE(blobs().head("exports/user-1/new.csv"));
}

TEST_F(PhotoSweep, RunsInTheBackgroundAndStopsPromptly) {
  ctx.config.photo_retention_days = 365;
  auto abandoned = upload(start, false);
  clock.set(start + hours(8 * 24));
  jobs::PhotoSweeper sweeper(ctx, hours(1));
  sweeper.start();
  for (int i = 0; i < 500 && !gone(abandoned); ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_TRUE(gone(abandoned));
  sweeper.stop();
}

}  // namespace
}  // namespace kefir::test::photos
