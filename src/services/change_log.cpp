#include "services/change_log.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "domain/change_log.hpp"
#include "domain/keys.hpp"
#include "http/errors.hpp"
#include "services/bulk_delete.hpp"
#include "util/backoff.hpp"

namespace kefir::services {
namespace {

// Losing the counter means another transaction of the same user committed meanwhile; as in modify_batch, N
// concurrent writers need at most N attempts and the bound only stops a pathological storm.
constexpr RetryPolicy kCounterRetry{64, std::chrono::milliseconds(2), std::chrono::milliseconds(200)};

struct UserRecords {
  std::string user_id;
  std::vector<changes::Record> records;
};

std::vector<UserRecords> records_by_user(const std::vector<store::WriteOp>& writes, std::size_t count,
                                         std::string_view event_owner) {
  std::vector<UserRecords> users;
  for (std::size_t i = 0; i < count; ++i) {
    auto owned = changes::changed_record(writes[i], event_owner);
    if (!owned) continue;
    auto found = std::find_if(users.begin(), users.end(),
                              [&](const UserRecords& user) { return user.user_id == owned->user_id; });
    if (found == users.end()) found = users.insert(users.end(), {owned->user_id, {}});
    found->records.push_back(std::move(owned->record));
  }
  return users;
}

thread_local OwnCommits* own_commits = nullptr;

}  // namespace

OwnCommits::OwnCommits(std::string user_id) : user_id_(std::move(user_id)), outer_(own_commits) {
  own_commits = this;
}

OwnCommits::~OwnCommits() {
  own_commits = outer_;
}

void OwnCommits::committed(const std::string& user_id, std::uint64_t seq) {
  if (user_id == user_id_) seqs_.insert(seq);
  if (outer_) outer_->committed(user_id, seq);
}

std::uint64_t commit_changes(AppContext& ctx, std::string_view event_owner,
                             const std::vector<store::WriteOp>& writes) {
  const auto users = records_by_user(writes, writes.size(), event_owner);
  if (users.empty()) {
    ctx.store->transact_write(writes);
    return 0;
  }
  if (writes.size() + 2 * users.size() > store::kMaxTransactionItems)
    throw std::logic_error("a logged transaction has more than " +
                           std::to_string(store::kMaxTransactionItems) + " items");
  auto operations = writes;
  std::vector<std::uint64_t> committed(users.size());
  for (int attempt = 0; attempt < kCounterRetry.max_attempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(kCounterRetry.delay(attempt - 1));
    operations.resize(writes.size());
    const auto now = ctx.now();
    for (std::size_t u = 0; u < users.size(); ++u) {
      const auto& user = users[u];
      const auto read = changes::counter_seq(ctx.store->get(keys::change_counter(user.user_id)));
      committed[u] = read + 1;
      operations.emplace_back(store::Put{changes::entry_item(user.user_id, read + 1, user.records, now), {}});
      operations.emplace_back(changes::counter_write(user.user_id, read, read + 1));
    }
    try {
      ctx.store->transact_write(operations);
    } catch (const store::ConditionFailed& failed) {
      if (failed.index() < static_cast<int>(writes.size())) throw;
      continue;  // a counter moved: read it again
    }
    for (std::size_t u = 0; u < users.size(); ++u) {
      if (own_commits) own_commits->committed(users[u].user_id, committed[u]);
      if (ctx.user_changed) ctx.user_changed(users[u].user_id, committed[u]);
    }
    return committed.back();
  }
  throw http::unavailable(1, "too many changes of this account at once; retry");
}

void register_change_log_hooks(AppContext& ctx) {
  ctx.hooks.account_deleted.push_back([&ctx](const std::string& user_id) {
    store::Query log;
    log.partition = keys::user_pk(user_id);
    log.sort = {store::SortOp::begins_with, std::string(keys::kChangePrefix), {}};
    delete_matching(*ctx.store, log);
    ctx.store->remove(keys::change_counter(user_id));
  });
}

}  // namespace kefir::services
