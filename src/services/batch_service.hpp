#pragma once
// Batch use cases (SPEC §3) over the item store: create with its "Batch started" note, list newest first
// behind a cursor, optimistic-concurrency updates (version, If-Match) with the automatic timeline events,
// archive and permanent delete with the cross-domain hooks.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/batch.hpp"
#include "services/context.hpp"
#include "services/paged_query.hpp"

namespace kefir::services {

struct BatchFilter {
  std::optional<std::string> status;  // archived batches are listed only when this is "archived"
  std::optional<std::string> stage;
};

// `client_id`: the id an offline client gave the batch (POST /sync), a UUID no batch has; 409 when one has
// it.
domain::Batch create_batch(ServiceContext& ctx, const std::string& user_id, const domain::BatchFields& fields,
                           const std::optional<std::string>& client_id = std::nullopt);
// The range of the store list_batches reads (all the user's batches): a kept page of it lasts while the
// store's version of that range does.
store::Query batches_query(const std::string& user_id);
StoredPage list_batches(ServiceContext& ctx, const std::string& user_id, const BatchFilter& filter,
                        const PageRequest& page);

// The user's batch; 404 when it does not exist or belongs to someone else.
domain::Batch get_batch(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id);
// The same check without decoding the batch, for requests that only need it to exist (a timeline page).
void require_batch(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id);
std::optional<domain::Batch> find_batch(ServiceContext& ctx, const std::string& user_id,
                                        std::string_view batch_id);
// A write condition on a batch item: it exists and is not archived.
store::Condition batch_not_archived();
// A batch by id alone, through GSI1 (public pages). Eventually consistent on DynamoDB.
std::optional<domain::Batch> find_batch_by_id(ServiceContext& ctx, std::string_view batch_id);

// What a change to a batch writes with it (timeline events...), committed in the same transaction.
using BatchEdit =
    std::function<std::optional<std::vector<store::WriteOp>>(domain::Batch& batch, TimePoint now)>;
// Read-modify-write of a batch: `edit` changes it and returns the writes to commit alongside, or nullopt when
// it changed nothing (no write, version kept). The batch's version goes up by one. A concurrent change is
// retried, unless `if_match` pins the version: then, as on a mismatch, 412. Every writer of batch items goes
// through this (or bumps `version` with a condition on it), so no update is lost.
domain::Batch modify_batch(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                           std::optional<std::string_view> if_match, const BatchEdit& edit);

// PUT/PATCH: partial update with `stage_change`/`status_change` events; archiving runs the batch_archived
// hooks.
domain::Batch update_batch(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                           const domain::BatchFields& fields, std::optional<std::string_view> if_match);
domain::Batch archive_batch(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                            std::optional<std::string_view> if_match);
// The batch, its events and (through the batch_deleted hooks) its reminders and photos.
void delete_batch_permanently(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                              std::optional<std::string_view> if_match);

// DELETE /me: every batch of the user with its events.
void delete_all_batches(ServiceContext& ctx, const std::string& user_id);
void register_batch_hooks(ServiceContext& ctx);

}  // namespace kefir::services
