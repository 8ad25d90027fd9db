#include "jobs/rendition_worker.hpp"

#include "util/log.hpp"

namespace kefir::jobs {

RenditionWorker::RenditionWorker(ServiceContext& ctx, std::chrono::seconds interval)
    : ctx_(ctx), periodic_("rendition worker", interval, [this] { run_once(); }) {}

std::vector<services::RenditionOutcome> RenditionWorker::run_once() {
  auto outcomes = services::render_pending_photos(ctx_);
  for (const auto& outcome : outcomes) {
    if (outcome.removed_because)
      log::warn("photo removed: no renditions can be made of it",
                {{"photoKey", outcome.photo_key}, {"reason", *outcome.removed_because}});
    else
      log::info("photo renditions made", {{"photoKey", outcome.photo_key}});
  }
  return outcomes;
}

}  // namespace kefir::jobs
