#pragma once
// The photo bucket's lifecycle rules (SPEC §7), as a job for the standalone shape: objects are deleted
// PHOTO_RETENTION_DAYS after upload (0 keeps them), uploads never attached after 7 days, generated exports
// after a day, objects without a PHOTO# item at once, and so renditions whose photo is gone. Each PHOTO# item
// goes with its object. Any number of instances may sweep: deleting is idempotent. With S3 the bucket's own
// lifecycle rules expire pending uploads (listings carry no tags), and this sweep still applies the retention
// and the export lifetime.
#include <chrono>
#include <cstddef>

#include "jobs/background_job.hpp"
#include "jobs/periodic_job.hpp"
#include "services/context.hpp"

namespace kefir::jobs {

struct SweepSummary {
  std::size_t expired = 0;    // past the retention
  std::size_t abandoned = 0;  // never attached
  std::size_t orphaned = 0;   // without a PHOTO# item: uploaded after its batch or account was deleted
  std::size_t orphaned_renditions = 0;  // whose photo is gone: its deletion stopped halfway
  std::size_t exports = 0;              // generated export files
};

class PhotoSweeper final : public BackgroundJob {
 public:
  explicit PhotoSweeper(ServiceContext& ctx, std::chrono::seconds interval = std::chrono::hours(1));

  void start() override { periodic_.start(); }
  void stop() override { periodic_.stop(); }

  // One sweep as of `now`.
  SweepSummary run_once(TimePoint now);

 private:
  ServiceContext& ctx_;
  PeriodicJob periodic_;  // last: stopped before the rest goes
};

}  // namespace kefir::jobs
