#include "services/public_batch_service.hpp"

#include "domain/keys.hpp"
#include "domain/photo.hpp"
#include "services/batch_service.hpp"
#include "services/sensor_service.hpp"

namespace kefir::services {
namespace {

// The most recent events shown; a long-running batch's page stays small.
constexpr std::size_t kTimelineEvents = 200;

std::string base_url(const ServiceContext& ctx) {
  std::string base = ctx.config.public_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

std::string_view file_name_of(std::string_view photo_key) {
  return photo_key.substr(photo_key.rfind('/') + 1);
}

}  // namespace

std::optional<domain::Batch> find_shared_batch(ServiceContext& ctx, std::string_view batch_id) {
  auto batch = find_batch_by_id(ctx, batch_id);
  if (!batch || !batch->is_public) return std::nullopt;
  return batch;
}

// Photos are linked through /public/b/{batchId}/photos/{file}: a storage key or presigned URL names the owner
// (users/<userId>/...), and a public page must not (SPEC §9).
std::optional<domain::PublicBatch> find_public_batch(ServiceContext& ctx, std::string_view batch_id) {
  auto batch = find_shared_batch(ctx, batch_id);
  if (!batch) return std::nullopt;
  domain::PublicBatch shown{std::move(*batch), {}, {}, {}};
  if (has_readings(ctx, shown.batch.batch_id))
    shown.chart_url = base_url(ctx) + "/public/b/" + shown.batch.batch_id + "/chart.svg";
  // A photo without renditions (attached before they existed, or in a build without libvips) is not shown.
  for (const auto& key : shown.batch.photo_keys) {
    if (!ctx.blobs->head(photo::rendition_key(key, photo::kRenditions.front()))) continue;
    auto file = file_name_of(key);
    shown.photos.push_back({base_url(ctx) + "/public/b/" + shown.batch.batch_id + "/photos/" +
                            std::string(file.substr(0, file.rfind('.')))});
  }
  store::Query query;
  query.partition = keys::events_pk(shown.batch.batch_id);
  query.sort = {store::SortOp::begins_with, std::string(keys::kEventPrefix), {}};
  query.forward = false;
  query.limit = kTimelineEvents;
  auto page = ctx.store->query(query);
  for (auto it = page.items.rbegin(); it != page.items.rend(); ++it)
    shown.timeline.push_back(domain::event_from_item(*it));
  return shown;
}

std::optional<std::string> find_public_rendition(ServiceContext& ctx, std::string_view batch_id,
                                                 std::string_view file) {
  auto batch = find_shared_batch(ctx, batch_id);
  if (!batch) return std::nullopt;
  for (const auto& photo_key : batch->photo_keys) {
    if (auto rendition = photo::rendition_named(photo_key, file))
      return photo::rendition_key(photo_key, *rendition);
  }
  return std::nullopt;
}

std::string public_page_url(const ServiceContext& ctx, std::string_view batch_id) {
  return base_url(ctx) + "/b/" + std::string(batch_id);
}

}  // namespace kefir::services
