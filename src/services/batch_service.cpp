#include "services/batch_service.hpp"

#include "domain/errors.hpp"
#include "domain/keys.hpp"
#include "services/auth_service.hpp"
#include "services/bulk_delete.hpp"
#include "services/change_log.hpp"
#include "services/event_service.hpp"
#include "util/backoff.hpp"
#include "util/suspension.hpp"

namespace kefir::services {
namespace {

// An unconditional write that loses the optimistic race reads again and retries: each loss means another
// writer committed, so N concurrent writers need at most N attempts; the jitter spreads the losers out so
// they do not collide again, and the bound (far above any real contention, about 6 s of waiting) only stops
// a pathological storm, with 503.
constexpr RetryPolicy kLostWriteRetry{64, std::chrono::milliseconds(2), std::chrono::milliseconds(200)};

domain::Error batch_not_found() {
  return domain::not_found("batch not found");
}

std::string transition(std::string_view what, std::string_view from, std::string_view to) {
  return std::string(what) + " changed from " + std::string(from) + " to " + std::string(to);
}

}  // namespace

store::Condition batch_not_archived() {
  std::vector<store::Condition> open_statuses;
  for (auto status : domain::kBatchStatuses)
    if (status != domain::kStatusArchived)
      open_statuses.push_back(store::Condition::equals("status", json::string(status)));
  return store::Condition::any_of(std::move(open_statuses));
}

domain::Batch create_batch(ServiceContext& ctx, const std::string& user_id, const domain::BatchFields& fields,
                           const std::optional<std::string>& client_id) {
  auto now = ctx.now();
  if (client_id && !domain::is_batch_id(*client_id))
    throw domain::invalid("id", "must be a lowercase UUIDv7");
  if (client_id && find_batch_by_id(ctx, *client_id))
    throw domain::conflict("batch id " + *client_id + " is taken");
  auto batch =
      domain::new_batch(fields, client_id.value_or(ctx.batch_ids.next(epoch_millis(now))), user_id, now);
  auto started = timeline_event(user_id, batch.batch_id, domain::kEventNote, "Batch started", {}, now);
  started.timestamp = batch.start_date;
  try {
    commit_changes(ctx, user_id,
                   {store::Put{domain::to_item(batch), store::Condition::item_absent()}, event_write(started),
                    user_exists_check(user_id)});
  } catch (const store::ConditionFailed& failed) {
    if (failed.index() == 0) throw domain::conflict("batch id " + batch.batch_id + " is taken");
    throw account_deleted();  // a fresh UUIDv7 is never taken, so then only the account check can fail
  }
  return batch;
}

store::Query batches_query(const std::string& user_id) {
  store::Query query;
  query.partition = keys::user_pk(user_id);
  query.sort = {store::SortOp::begins_with, std::string(keys::kBatchPrefix), {}};
  return query;
}

StoredPage list_batches(ServiceContext& ctx, const std::string& user_id, const BatchFilter& filter,
                        const PageRequest& page) {
  auto query = batches_query(user_id);
  query.forward = false;  // UUIDv7 ids sort by creation: newest first is the reverse key range
  auto keep = [&filter](std::string_view stored) {
    auto listing = domain::listing_from_stored(stored);
    if (filter.status ? listing.status != *filter.status : listing.status == domain::kStatusArchived)
      return false;
    return !filter.stage || listing.stage == *filter.stage;
  };
  cursor::Codec codec(ctx.derive_key("cursor"));
  auto fingerprint =
      cursor::fingerprint({"batches", user_id, filter.status.value_or(""), filter.stage.value_or("")});
  return read_stored_page(*ctx.store, codec, std::move(query), fingerprint, page, keep);
}

std::optional<domain::Batch> find_batch(ServiceContext& ctx, const std::string& user_id,
                                        std::string_view batch_id) {
  if (!is_uuid(batch_id)) return std::nullopt;
  // As text, decoded without a DOM: every request about a batch or its timeline starts here.
  auto stored = ctx.store->get_document(keys::batch(user_id, batch_id));
  if (!stored) return std::nullopt;
  return domain::stored_batch(*stored);
}

void require_batch(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id) {
  if (!is_uuid(batch_id) || !ctx.store->get_document(keys::batch(user_id, batch_id))) throw batch_not_found();
}

domain::Batch get_batch(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id) {
  auto batch = find_batch(ctx, user_id, batch_id);
  if (!batch) throw batch_not_found();
  return std::move(*batch);
}

std::optional<domain::Batch> find_batch_by_id(ServiceContext& ctx, std::string_view batch_id) {
  if (!is_uuid(batch_id)) return std::nullopt;
  store::Query query;
  query.on_gsi1 = true;
  query.partition = keys::batch_gsi1pk(batch_id);
  query.sort = {store::SortOp::equals, std::string(keys::kBatchGsi1Sk), {}};
  query.limit = 1;
  auto page = ctx.store->query(query);
  if (page.items.empty()) return std::nullopt;
  return domain::batch_from_item(page.items.front());
}

domain::Batch modify_batch(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                           std::optional<std::string_view> if_match, const BatchEdit& edit) {
  for (int attempt = 0; attempt < kLostWriteRetry.max_attempts; ++attempt) {
    if (attempt > 0) suspension::sleep_for(kLostWriteRetry.delay(attempt - 1));
    auto batch = get_batch(ctx, user_id, batch_id);
    if (if_match && !domain::if_match_allows(*if_match, batch.version)) throw domain::precondition_failed();
    auto read_version = batch.version;
    auto now = ctx.now();
    auto writes = edit(batch, now);
    if (!writes) return batch;
    batch.version = read_version + 1;
    batch.updated_at = now;
    writes->insert(writes->begin(),
                   store::Put{domain::to_item(batch), store::Condition::equals("version", read_version)});
    try {
      commit_changes(ctx, user_id, *writes);
      return batch;
    } catch (const store::ConditionFailed& failed) {
      // Index 0 is the batch: someone else wrote it (or deleted it) since we read it.
      if (failed.index() > 0) throw;
      if (if_match) throw domain::precondition_failed();
    }
  }
  throw domain::unavailable(1, "the batch is being changed by too many requests at once; retry");
}

domain::Batch update_batch(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                           const domain::BatchFields& fields, std::optional<std::string_view> if_match) {
  bool archived_now = false;
  auto batch =
      modify_batch(ctx, user_id, batch_id, if_match,
                   [&](domain::Batch& batch, TimePoint now) -> std::optional<std::vector<store::WriteOp>> {
                     auto change = domain::apply_batch_fields(batch, fields, now);
                     if (!change.changed) return std::nullopt;
                     std::vector<store::WriteOp> writes;
                     if (change.previous_stage) {
                       json::object metadata{{"from", *change.previous_stage}, {"to", batch.stage}};
                       writes.push_back(event_write(timeline_event(
                           user_id, batch.batch_id, domain::kEventStageChange,
                           transition("Stage", *change.previous_stage, batch.stage), metadata, now)));
                     }
                     if (change.previous_status) {
                       json::object metadata{{"from", *change.previous_status}, {"to", batch.status}};
                       writes.push_back(event_write(timeline_event(
                           user_id, batch.batch_id, domain::kEventStatusChange,
                           transition("Status", *change.previous_status, batch.status), metadata, now)));
                     }
                     archived_now = change.previous_status.has_value() && batch.archived();
                     return writes;
                   });
  if (archived_now) ctx.hooks.run_batch_archived(user_id, batch.batch_id);
  return batch;
}

domain::Batch archive_batch(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                            std::optional<std::string_view> if_match) {
  domain::BatchFields fields;
  fields.status.present = true;
  fields.status.value = std::string(domain::kStatusArchived);
  return update_batch(ctx, user_id, batch_id, fields, if_match);
}

void delete_batch_permanently(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                              std::optional<std::string_view> if_match) {
  auto batch = get_batch(ctx, user_id, batch_id);
  if (if_match && !domain::if_match_allows(*if_match, batch.version)) throw domain::precondition_failed();
  // The batch item goes last: if anything fails midway, the batch is still there and a retry finishes the
  // job.
  ctx.hooks.run_batch_deleted(user_id, batch.batch_id);
  delete_batch_events(ctx, batch.batch_id);
  std::optional<store::Condition> condition;
  if (if_match) condition = store::Condition::equals("version", batch.version);
  try {
    // Its events, reminders and photos went without log entries: the batch's tombstone stands for them.
    commit_changes(ctx, user_id, {store::Delete{keys::batch(user_id, batch.batch_id), condition}});
  } catch (const store::ConditionFailed&) {
    throw domain::precondition_failed();
  }
}

void delete_all_batches(ServiceContext& ctx, const std::string& user_id) {
  auto query = batches_query(user_id);
  query.limit = store::kMaxTransactionItems;
  while (true) {
    auto page = ctx.store->query(query);
    std::vector<store::Key> batch_keys;
    for (const auto& item : page.items) {
      delete_batch_events(ctx, json_string(item, "batchId"));
      batch_keys.push_back(store::key_of(item));
    }
    delete_keys(*ctx.store, batch_keys);
    if (!page.last_key) return;
    query.start_after = std::move(page.last_key);
  }
}

void register_batch_hooks(ServiceContext& ctx) {
  ctx.hooks.account_deleted.push_back(
      [&ctx](const std::string& user_id) { delete_all_batches(ctx, user_id); });
}

}  // namespace kefir::services
