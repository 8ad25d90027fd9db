#pragma once
// Every write of user data goes through commit_changes(): the user's change-log entry and counter are
// committed in the same transaction as the change (issue 17), which gives each user a strict commit order on
// either store without a scan.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "domain/change_log.hpp"
#include "ports/item_store.hpp"
#include "services/context.hpp"

namespace kefir::services {

// Commits `writes` in one transaction together with, for each user whose records (batch, event, reminder,
// device, photo) they write, a change-log entry naming those records, numbered by the store
// (ItemStore::transact_append: concurrent transactions of one user do not fail on each other).
// Events live under their batch: they are logged as `event_owner`'s. Writes of anything else (claims, checks)
// are committed but not logged.
//
// A failed condition of `writes` throws ConditionFailed with its index in `writes`, as transact_write would.
// Writes plus two items per user logged must fit in one transaction (store::kMaxTransactionItems).
// Returns the last sequence committed (0 when nothing was logged).
std::uint64_t commit_changes(ServiceContext& ctx, std::string_view event_owner,
                             const std::vector<store::WriteOp>& writes);

// Logs changes already committed outside commit_changes, one entry per user naming `records`, the users'
// entries together in transactions as they fit: the reminder processor records the outcomes of a round in
// transactions of many users' reminders, then logs them here once per user.
void log_committed_changes(ServiceContext& ctx,
                           const std::map<std::string, std::vector<changes::Record>>& records);

// The sequences this thread commits for one user while it lives: POST /sync tells the client's own changes
// from everyone else's with it.
class OwnCommits {
 public:
  explicit OwnCommits(std::string user_id);
  ~OwnCommits();
  OwnCommits(const OwnCommits&) = delete;
  OwnCommits& operator=(const OwnCommits&) = delete;

  const std::set<std::uint64_t>& seqs() const { return seqs_; }
  void committed(const std::string& user_id, std::uint64_t seq);

 private:
  std::string user_id_;
  std::set<std::uint64_t> seqs_;
  OwnCommits* outer_;
};

// DELETE /me: the log and the counter go with the account (no log of the deletion: the user is gone).
void register_change_log_hooks(ServiceContext& ctx);

}  // namespace kefir::services
