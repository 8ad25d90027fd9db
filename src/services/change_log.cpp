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

std::uint64_t commit_changes(AppContext& ctx, std::string_view event_owner,
                             const std::vector<store::WriteOp>& writes) {
  const auto users = records_by_user(writes, writes.size(), event_owner);
  if (users.empty()) {
    ctx.store->transact_write(writes);
    return 0;
  }
  const auto now = ctx.now();
  std::vector<store::LogAppend> appends;
  appends.reserve(users.size());
  for (const auto& user : users) appends.push_back(changes::entry_append(user.user_id, user.records, now));
  const auto committed = ctx.store->transact_append(writes, appends);
  for (std::size_t u = 0; u < users.size(); ++u) {
    if (own_commits) own_commits->committed(users[u].user_id, committed[u]);
    if (ctx.user_changed) ctx.user_changed(users[u].user_id, committed[u]);
  }
  return committed.back();
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
