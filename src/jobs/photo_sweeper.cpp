#include "jobs/photo_sweeper.hpp"

#include "domain/keys.hpp"
#include "domain/photo.hpp"
#include "util/log.hpp"

namespace kefir::jobs {
namespace {

// The PHOTO# item is written before its upload URL is handed out and removed with the photo, so an object
// without one was put through a URL issued before its batch or account was deleted.
bool photo_item_missing(store::ItemStore& store, const photo::KeyParts& photo, const std::string& key) {
  return !store.get(keys::photo(photo.user_id, key));
}

// A rendition's key lacks the original's extension: any PHOTO# item of the same stem is its photo.
bool photo_item_missing(store::ItemStore& store, const photo::RenditionOf& rendition) {
  store::Query query;
  query.partition = keys::user_pk(rendition.user_id);
  query.sort = {
      store::SortOp::begins_with, keys::photo(rendition.user_id, rendition.photo_stem + ".").sk, {}};
  query.limit = 1;
  return store.query(query).items.empty();
}

}  // namespace

PhotoSweeper::PhotoSweeper(ServiceContext& ctx, std::chrono::seconds interval)
    : ctx_(ctx), periodic_("photo sweep", interval, [this] { run_once(ctx_.now()); }) {}

SweepSummary PhotoSweeper::run_once(TimePoint now) {
  SweepSummary summary;
  auto retention = std::chrono::days(ctx_.config.photo_retention_days);
  for (const auto& info : ctx_.blobs->list("users/")) {
    auto age = now - info.last_modified;
    bool expired = retention.count() > 0 && age >= retention;
    bool abandoned = info.pending && age >= photo::kUnattachedLifetime;
    auto parts = photo::parse_key(info.key);
    if (!expired && !abandoned) {
      if (parts && photo_item_missing(*ctx_.store, *parts, info.key)) {
        ctx_.blobs->remove(info.key);
        ++summary.orphaned;
      } else if (auto rendition = photo::parse_rendition_key(info.key);
                 rendition && photo_item_missing(*ctx_.store, *rendition)) {
        ctx_.blobs->remove(info.key);
        ++summary.orphaned_renditions;
      }
      continue;
    }
    ctx_.blobs->remove(info.key);
    if (parts) ctx_.store->remove(keys::photo(parts->user_id, info.key));
    ++(expired ? summary.expired : summary.abandoned);
  }
  for (const auto& info : ctx_.blobs->list("exports/")) {
    if (now - info.last_modified < photo::kExportLifetime) continue;
    ctx_.blobs->remove(info.key);
    ++summary.exports;
  }
  if (summary.expired + summary.abandoned + summary.orphaned + summary.orphaned_renditions + summary.exports >
      0)
    log::info("photo sweep", {{"expired", summary.expired},
                              {"abandoned", summary.abandoned},
                              {"orphaned", summary.orphaned},
                              {"orphanedRenditions", summary.orphaned_renditions},
                              {"exports", summary.exports}});
  return summary;
}

}  // namespace kefir::jobs
