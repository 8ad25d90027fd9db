#include "services/photo_service.hpp"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "domain/errors.hpp"
#include "domain/event.hpp"
#include "domain/keys.hpp"
#include "domain/photo.hpp"
#include "services/batch_service.hpp"
#include "services/bulk_delete.hpp"
#include "services/event_service.hpp"
#include "util/log.hpp"

namespace kefir::services {
namespace {

constexpr std::string_view kPending = "pending";
constexpr std::string_view kAttached = "attached";

domain::Error bad_photo_key(std::string problem) {
  return domain::invalid("photoKey", std::move(problem));
}

store::Query photo_items(const std::string& user_id, const std::string& key_prefix) {
  store::Query query;
  query.partition = keys::user_pk(user_id);
  query.sort = {store::SortOp::begins_with, std::string(keys::kPhotoPrefix) + key_prefix, {}};
  return query;
}

void remove_objects(blob::BlobStore& blobs, const std::string& prefix) {
  for (const auto& info : blobs.list(prefix)) blobs.remove(info.key);
}

// The object must be what the upload URL allowed. With S3 a presigned PUT cannot cap the size, so this is
// where an oversized or retyped upload is caught (and removed, so it costs nothing more).
void check_uploaded_object(ServiceContext& ctx, const std::string& user_id, const std::string& photo_key,
                           const store::Item& upload) {
  auto info = ctx.blobs->head(photo_key);
  if (!info) throw bad_photo_key("has not been uploaded");
  std::string problem;
  if (info->size > photo::kMaxBytes)
    problem = "is larger than 10 MiB";
  else if (info->size == 0)
    problem = "is empty";
  else if (info->content_type != json_string(upload, "contentType"))
    problem = "is not of the content type it was uploaded for";
  if (problem.empty()) return;
  ctx.blobs->remove(photo_key);
  ctx.store->remove(keys::photo(user_id, photo_key));
  throw bad_photo_key(problem + "; the upload was deleted");
}

// A private scratch directory for one photo's files, removed with everything in it.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "kefir-photo-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a scratch directory for a photo");
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Makes the renditions of an uploaded photo and stores them next to it; returns how many. Throws
// ImageRejected for a file that is not a readable image of its type, or a decompression bomb.
std::size_t make_renditions(ServiceContext& ctx, const std::string& photo_key,
                            const std::string& content_type) {
  ScratchDirectory scratch;
  auto original = scratch.file("original");
  ctx.blobs->get_file(photo_key, original);
  auto files = ctx.images->render(original, content_type, scratch.file(""));
  // The public page shows a photo once its first rendition exists, so that one is stored after the others.
  auto shown_from = photo::rendition_key(photo_key, photo::kRenditions.front());
  std::stable_partition(files.begin(), files.end(), [&](const images::RenditionFile& file) {
    return photo::rendition_key(photo_key, file.rendition) != shown_from;
  });
  for (const auto& file : files)
    ctx.blobs->put_file(photo::rendition_key(photo_key, file.rendition),
                        std::string(photo::content_type_of(file.rendition.format)), file.path);
  return files.size();
}

// Renditions made in the attach call. A file no renditions can be made of is refused like an oversized
// upload: deleted, and nothing of it left behind.
void store_renditions(ServiceContext& ctx, const std::string& user_id, const std::string& photo_key,
                      const store::Item& upload) {
  if (!ctx.images) return;
  try {
    make_renditions(ctx, photo_key, json_string(upload, "contentType"));
  } catch (const images::ImageRejected& rejected) {
    ctx.blobs->remove(photo_key);
    ctx.store->remove(keys::photo(user_id, photo_key));
    throw bad_photo_key(std::string(rejected.what()) + "; the upload was deleted");
  }
}

void remove_renditions(blob::BlobStore& blobs, const std::string& photo_key) {
  for (auto rendition : photo::kRenditions) blobs.remove(photo::rendition_key(photo_key, rendition));
}

// How long a rendition worker holds a deferred photo: far longer than any rendering (a 12 MP JPEG takes about
// 0.3 s), so a photo goes to another worker only after its worker died.
constexpr std::chrono::minutes kRenditionLease{5};
// Deferred photos read per query of the rendition worker.
constexpr std::size_t kRenditionPage = 25;

bool renditions_deferred(const ServiceContext& ctx) {
  return ctx.config.renditions == "deferred" || (ctx.config.renditions.empty() && !ctx.images);
}

void mark_renditions_pending(store::Update& update, const std::string& photo_key, TimePoint now) {
  update.set["GSI1PK"] = keys::rendition_shard(photo_key);
  update.set["GSI1SK"] = keys::rendition_gsi1sk(format_rfc3339(now), photo_key);
}

// The lease on a deferred photo, if this worker won it: the photo's index entry moves to the end of the lease
// on condition that nobody moved it since it was read. The returned condition holds while the lease is ours.
std::optional<store::Condition> lease_photo(ServiceContext& ctx, const store::Item& pending, TimePoint now) {
  store::Update lease;
  lease.set["GSI1SK"] =
      keys::rendition_gsi1sk(format_rfc3339(now + kRenditionLease), json_string(pending, "photoKey"));
  try {
    ctx.store->update(store::key_of(pending), lease,
                      store::Condition::equals("GSI1SK", pending.at("GSI1SK")));
  } catch (const store::ConditionFailed&) {
    return std::nullopt;  // another worker's, or deleted
  }
  return store::Condition::equals("GSI1SK", lease.set.at("GSI1SK"));
}

// A deferred photo no renditions can be made of leaves its batch and the storage, and a note on the batch's
// timeline tells the brewer why (their attach call had succeeded).
void remove_unrenderable_photo(ServiceContext& ctx, const store::Item& photo, const store::Condition& leased,
                               const std::string& reason) {
  auto user_id = json_string(photo, "userId");
  auto photo_key = json_string(photo, "photoKey");
  try {
    modify_batch(
        ctx, user_id, json_string(photo, "batchId"), std::nullopt,
        [&](domain::Batch& batch, TimePoint now) -> std::optional<std::vector<store::WriteOp>> {
          auto& photos = batch.photo_keys;
          photos.erase(std::remove(photos.begin(), photos.end(), photo_key), photos.end());
          auto note = timeline_event(user_id, batch.batch_id, domain::kEventNote,
                                     "Photo removed: it " + reason, {{"photoKey", photo_key}}, now);
          return std::vector<store::WriteOp>{event_write(note), store::Delete{store::key_of(photo), leased}};
        });
  } catch (const domain::Error&) {
    ctx.store->remove(store::key_of(photo));  // the batch is gone: its deletion takes its photos too
  }
  ctx.blobs->remove(photo_key);
}

// Makes the renditions of a deferred photo this worker holds the lease on, then takes it off the index.
RenditionOutcome render_leased_photo(ServiceContext& ctx, const store::Item& photo,
                                     const store::Condition& leased) {
  auto photo_key = json_string(photo, "photoKey");
  try {
    if (make_renditions(ctx, photo_key, json_string(photo, "contentType")) == 0)
      throw std::runtime_error("the image processor made no renditions (is the libvips module loaded?)");
  } catch (const images::ImageRejected& rejected) {
    remove_unrenderable_photo(ctx, photo, leased, rejected.what());
    return {photo_key, rejected.what()};
  }
  store::Update rendered;
  rendered.remove = {"GSI1PK", "GSI1SK"};
  try {
    ctx.store->update(store::key_of(photo), rendered, leased);
  } catch (const store::ConditionFailed&) {
    // Deleted while it was rendered (its deletion removed the renditions before they were stored): the
    // renditions just stored would be left behind.
    if (!ctx.store->get(store::key_of(photo))) remove_renditions(*ctx.blobs, photo_key);
  }
  return {photo_key, std::nullopt};
}

}  // namespace

PhotoUpload create_photo_upload(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                                std::optional<std::string> filename, const std::string& content_type) {
  auto extension = photo::extension_for(content_type);
  if (!extension)
    throw domain::invalid("contentType", "must be image/jpeg, image/png, image/webp or image/heic");
  auto batch = get_batch(ctx, user_id, batch_id);
  if (batch.photo_keys.size() >= photo::kMaxPerBatch)
    throw domain::conflict("a batch has at most " + std::to_string(photo::kMaxPerBatch) + " photos");
  auto key = photo::make_key(user_id, batch.batch_id, uuid_v4() + "." + std::string(*extension));
  auto now = ctx.now();
  auto item_key = keys::photo(user_id, key);
  store::Item item{{"PK", item_key.pk},
                   {"SK", item_key.sk},
                   {"photoKey", key},
                   {"batchId", batch.batch_id},
                   {"userId", user_id},
                   {"contentType", content_type},
                   {"status", kPending},
                   {"createdAt", format_rfc3339(now)},
                   {"TTL", epoch_seconds(now + photo::kUnattachedLifetime)}};
  if (filename) item["filename"] = *filename;
  ctx.store->put(item, store::Condition::item_absent());
  return {key, ctx.blobs->presign_upload(key, content_type, photo::kUrlLifetime)};
}

domain::Batch attach_photo(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                           const std::string& photo_key) {
  auto batch = get_batch(ctx, user_id, batch_id);
  auto parts = photo::parse_key(photo_key);
  if (!parts || parts->user_id != user_id || parts->batch_id != batch.batch_id)
    throw bad_photo_key("must be a photo uploaded for this batch");
  if (std::find(batch.photo_keys.begin(), batch.photo_keys.end(), photo_key) != batch.photo_keys.end())
    return batch;
  auto upload = ctx.store->get(keys::photo(user_id, photo_key));
  if (!upload) throw bad_photo_key("has no upload (it expired or was never requested)");
  check_uploaded_object(ctx, user_id, photo_key, *upload);
  const bool deferred = renditions_deferred(ctx);
  if (!deferred) store_renditions(ctx, user_id, photo_key, *upload);
  // Before the batch write: if that fails, the object is kept a while as an orphan rather than expired under
  // a batch that lists it.
  ctx.blobs->mark_attached(photo_key);
  try {
    return modify_batch(
        ctx, user_id, batch.batch_id, std::nullopt,
        [&](domain::Batch& current, TimePoint now) -> std::optional<std::vector<store::WriteOp>> {
          auto& photos = current.photo_keys;
          if (std::find(photos.begin(), photos.end(), photo_key) != photos.end()) return std::nullopt;
          if (photos.size() >= photo::kMaxPerBatch)
            throw domain::conflict("a batch has at most " + std::to_string(photo::kMaxPerBatch) + " photos");
          photos.push_back(photo_key);
          auto event =
              timeline_event(user_id, current.batch_id, domain::kEventPhotoAdded, "Photo added", {}, now);
          event.photo_key = photo_key;
          store::Update attached;
          attached.set = {{"status", kAttached}, {"attachedAt", format_rfc3339(now)}};
          attached.remove = {"TTL"};
          if (deferred) mark_renditions_pending(attached, photo_key, now);
          return std::vector<store::WriteOp>{
              event_write(event),
              store::UpdateItem{keys::photo(user_id, photo_key), attached, store::Condition::item_exists()}};
        });
  } catch (const store::ConditionFailed&) {
    throw bad_photo_key("has no upload (it expired or was never requested)");
  }
}

std::vector<RenditionOutcome> render_pending_photos(ServiceContext& ctx) {
  if (!ctx.images) throw std::logic_error("the rendition worker needs an image processor (libvips)");
  std::vector<RenditionOutcome> outcomes;
  auto render = [&](const store::Item& pending) {
    auto leased = lease_photo(ctx, pending, ctx.now());
    if (!leased) return;
    try {
      outcomes.push_back(render_leased_photo(ctx, pending, *leased));
    } catch (const std::exception& error) {
      log::warn("photo renditions failed; retried when the lease ends",
                {{"photoKey", json_string(pending, "photoKey")}, {"error", error.what()}});
    }
  };
  for_each_due(*ctx.store, keys::rendition_shards(), keys::rendition_gsi1sk(format_rfc3339(ctx.now()), "~"),
               kRenditionPage, render);
  return outcomes;
}

std::vector<PhotoLink> photo_links(ServiceContext& ctx, const domain::Batch& batch,
                                   std::optional<photo::Rendition> rendition) {
  std::vector<PhotoLink> links;
  for (const auto& key : batch.photo_keys) {
    if (!ctx.blobs->head(key)) continue;  // expired by the lifecycle, or deleted behind our back
    auto shown = key;
    // A photo attached before renditions existed is shown as uploaded.
    if (rendition && ctx.blobs->head(photo::rendition_key(key, *rendition)))
      shown = photo::rendition_key(key, *rendition);
    links.push_back({key, ctx.blobs->presign_download(shown, photo::kUrlLifetime)});
  }
  return links;
}

void delete_photo(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                  std::string_view file_name) {
  auto batch = get_batch(ctx, user_id, batch_id);
  if (!photo::valid_file_name(file_name)) throw domain::not_found("photo not found");
  auto key = photo::make_key(user_id, batch.batch_id, file_name);
  bool listed = std::find(batch.photo_keys.begin(), batch.photo_keys.end(), key) != batch.photo_keys.end();
  if (!listed && !ctx.store->get(keys::photo(user_id, key)) && !ctx.blobs->head(key))
    throw domain::not_found("photo not found");
  modify_batch(ctx, user_id, batch.batch_id, std::nullopt,
               [&](domain::Batch& current, TimePoint) -> std::optional<std::vector<store::WriteOp>> {
                 auto& photos = current.photo_keys;
                 auto found = std::find(photos.begin(), photos.end(), key);
                 if (found == photos.end()) return std::nullopt;
                 photos.erase(found);
                 return std::vector<store::WriteOp>{store::Delete{keys::photo(user_id, key), std::nullopt}};
               });
  ctx.store->remove(keys::photo(user_id, key));
  remove_renditions(*ctx.blobs, key);
  ctx.blobs->remove(key);
}

void delete_batch_photos(ServiceContext& ctx, const std::string& user_id, const std::string& batch_id) {
  auto prefix = photo::batch_prefix(user_id, batch_id);
  remove_objects(*ctx.blobs, prefix);
  delete_matching(*ctx.store, photo_items(user_id, prefix));
}

void delete_user_photos(ServiceContext& ctx, const std::string& user_id) {
  remove_objects(*ctx.blobs, photo::user_prefix(user_id));
  remove_objects(*ctx.blobs, photo::export_prefix(user_id));
  delete_matching(*ctx.store, photo_items(user_id, ""));
}

void register_photo_hooks(ServiceContext& ctx) {
  ctx.hooks.batch_deleted.push_back([&ctx](const std::string& user_id, const std::string& batch_id) {
    delete_batch_photos(ctx, user_id, batch_id);
  });
  ctx.hooks.account_deleted.push_back(
      [&ctx](const std::string& user_id) { delete_user_photos(ctx, user_id); });
}

}  // namespace kefir::services
