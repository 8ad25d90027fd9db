#pragma once
// The rendition worker as a job: makes the renditions of photos attached with them deferred
// (services::render_pending_photos), in every `kefir serve` that has libvips and in `kefir renditions`. Any
// number of workers may run, over one table: a photo's lease keeps it to one of them.
#include <chrono>
#include <vector>

#include "jobs/background_job.hpp"
#include "jobs/periodic_job.hpp"
#include "services/context.hpp"
#include "services/photo_service.hpp"

namespace kefir::jobs {

class RenditionWorker final : public BackgroundJob {
 public:
  RenditionWorker(ServiceContext& ctx, std::chrono::seconds interval);

  void start() override { periodic_.start(); }
  void stop() override { periodic_.stop(); }

  // One pass, logged photo by photo.
  std::vector<services::RenditionOutcome> run_once();

 private:
  ServiceContext& ctx_;
  PeriodicJob periodic_;  // last: stopped before the rest goes
};

}  // namespace kefir::jobs
