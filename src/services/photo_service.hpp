#pragma once
// Photo use cases (SPEC §7): presigned uploads recorded as PHOTO# items, attaching to a batch (photoKeys, a
// photo_added event), presigned downloads, deletion, and the cleanup when a batch or an account goes away.
//
// The PHOTO#<photoKey> item (under USER#<userId>): photoKey, batchId, userId, contentType, filename,
// createdAt, status ("pending" until attached, then "attached" with attachedAt). A pending item carries a TTL
// of photo::kUnattachedLifetime, the same life as the unattached object itself. A photo attached with its
// renditions deferred is in the sparse GSI1 of keys::rendition_shard until the rendition worker made them.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/batch.hpp"
#include "domain/photo.hpp"
#include "ports/blob_store.hpp"
#include "services/context.hpp"

namespace kefir::services {

struct PhotoUpload {
  std::string photo_key;
  blob::PresignedRequest request;
};
PhotoUpload create_photo_upload(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                                std::optional<std::string> filename, const std::string& content_type);

// Idempotent: attaching a photo the batch already has returns the batch unchanged. With renditions deferred
// (RENDITIONS=deferred, or by default a process without libvips: the Lambda package) it answers at once, with
// the original stored and the photo waiting for the rendition worker; else the renditions are made here.
domain::Batch attach_photo(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                           const std::string& photo_key);

// What the rendition worker did with one deferred photo.
struct RenditionOutcome {
  std::string photo_key;
  std::optional<std::string> removed_because;  // set when no renditions could be made and the photo went
};
// One pass of the rendition worker over the deferred photos whose turn has come. Each is leased first (a
// conditional update of its index entry, so two workers never render one photo) and rendered as an attach
// call would; then it leaves the index. A file that is not a readable image of its type, or a decompression
// bomb, is removed from its batch and the storage, and a `note` event on the batch's timeline says why. A
// photo that fails otherwise is retried when its lease ends. Needs ctx.images.
std::vector<RenditionOutcome> render_pending_photos(ServiceContext& ctx);

struct PhotoLink {
  std::string photo_key;
  blob::PresignedRequest download;
};
// Presigned downloads of the batch's photos whose object still exists: the rendition asked for where it
// exists, else the original.
std::vector<PhotoLink> photo_links(ServiceContext& ctx, const domain::Batch& batch,
                                   std::optional<photo::Rendition> rendition = std::nullopt);

// `file_name` is the "<uuid>.<ext>" last segment of the key. 404 when the batch has no such photo.
void delete_photo(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                  std::string_view file_name);

// Objects and PHOTO# items of one batch, or of a whole account (its generated exports too).
void delete_batch_photos(ServiceContext& ctx, const std::string& user_id, const std::string& batch_id);
void delete_user_photos(ServiceContext& ctx, const std::string& user_id);
void register_photo_hooks(ServiceContext& ctx);

}  // namespace kefir::services
