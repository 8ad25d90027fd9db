#include "services/change_log.hpp"

#include <algorithm>
#include <stdexcept>

#include "domain/change_log.hpp"
#include "domain/keys.hpp"
#include "services/bulk_delete.hpp"

namespace kefir::services {
namespace {

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

namespace {

// Appends each user's entry in the transaction of `writes`; returns the sequences, in the order of `users`.
std::vector<std::uint64_t> append_entries(ServiceContext& ctx, const std::vector<store::WriteOp>& writes,
                                          const std::vector<UserRecords>& users) {
  const auto now = ctx.now();
  std::vector<store::LogAppend> appends;
  appends.reserve(users.size());
  for (const auto& user : users) appends.push_back(changes::entry_append(user.user_id, user.records, now));
  const auto committed = ctx.store->transact_append(writes, appends);
  for (std::size_t u = 0; u < users.size(); ++u) {
    if (own_commits) own_commits->committed(users[u].user_id, committed[u]);
    if (ctx.user_changed) ctx.user_changed(users[u].user_id, committed[u]);
  }
  return committed;
}

}  // namespace

std::uint64_t commit_changes(ServiceContext& ctx, std::string_view event_owner,
                             const std::vector<store::WriteOp>& writes) {
  const auto users = records_by_user(writes, writes.size(), event_owner);
  if (users.empty()) {
    ctx.store->transact_write(writes);
    return 0;
  }
  return append_entries(ctx, writes, users).back();
}

void log_committed_changes(ServiceContext& ctx,
                           const std::map<std::string, std::vector<changes::Record>>& records) {
  constexpr std::size_t kUsersPerTransaction =
      store::kMaxTransactionItems / 2;  // an entry and its counter each
  // An entry stays well under DynamoDB's 400 KB item limit (a record is about 200 bytes).
  constexpr std::size_t kRecordsPerEntry = 500;
  std::vector<UserRecords> users;
  auto flush = [&] {
    if (!users.empty()) append_entries(ctx, {}, users);
    users.clear();
  };
  for (const auto& [user_id, changed] : records) {
    for (std::size_t at = 0; at < changed.size(); at += kRecordsPerEntry) {
      // One counter is written once per transaction: a user's next entry goes in the next one.
      if (users.size() == kUsersPerTransaction || (!users.empty() && users.back().user_id == user_id))
        flush();
      const auto end = std::min(changed.size(), at + kRecordsPerEntry);
      users.push_back({user_id,
                       {changed.begin() + static_cast<std::ptrdiff_t>(at),
                        changed.begin() + static_cast<std::ptrdiff_t>(end)}});
    }
  }
  flush();
}

void register_change_log_hooks(ServiceContext& ctx) {
  ctx.hooks.account_deleted.push_back([&ctx](const std::string& user_id) {
    store::Query log;
    log.partition = keys::user_pk(user_id);
    log.sort = {store::SortOp::begins_with, std::string(keys::kChangePrefix), {}};
    delete_matching(*ctx.store, log);
    ctx.store->remove(keys::change_counter(user_id));
  });
}

}  // namespace kefir::services
