#pragma once
// Shared batches (SPEC §9): what anyone with a batch's link may see. A private or unknown batch is the same
// nullopt, so ids cannot be probed.
#include <optional>
#include <string>
#include <string_view>

#include "domain/public_batch.hpp"
#include "services/context.hpp"

namespace kefir::services {

std::optional<domain::Batch> find_shared_batch(ServiceContext& ctx, std::string_view batch_id);
// The batch with its photos' renditions, its latest timeline and its chart's address.
std::optional<domain::PublicBatch> find_public_batch(ServiceContext& ctx, std::string_view batch_id);
// The storage key of a shared batch's photo rendition named `file` ("<uuid>.w320.webp"); never an original,
// which may carry where it was taken (GPS).
std::optional<std::string> find_public_rendition(ServiceContext& ctx, std::string_view batch_id,
                                                 std::string_view file);
// Where its QR code points: the public page GET /b/{batchId}.
std::string public_page_url(const ServiceContext& ctx, std::string_view batch_id);

}  // namespace kefir::services
