// Claiming due reminders: a conditional write per reminder (pending, or sending with an expired lease, to
// sending with a lease naming this pass), in transactions of 25, so any number of processors send each once.
#include <mutex>

#include "domain/keys.hpp"
#include "jobs/reminder_pass.hpp"

namespace kefir::jobs {
namespace {

using reminder_pass::drop_lease;
using reminder_pass::due_bound;
using reminder_pass::leave_due_index;
using reminder_pass::text;
using reminder_pass::update_reminder;
using reminder_pass::write_in_transactions;
using reminders::Status;
using store::Condition;
namespace attr = reminders::attr;

// Whether the scan's copy of a reminder may be claimed now; claim_condition() is the same rule as a store
// condition, so a claim made on a stale copy fails instead of sending it.
bool claimable(const store::Item& item, TimePoint now) {
  if (json_bool(item, attr::completed) || json_string(item, attr::gsi1sk) >= due_bound(now)) return false;
  auto status = json_string(item, attr::status);
  if (status == json::string(reminders::to_string(Status::pending))) return true;
  return status == reminders::to_string(Status::sending) &&
         json_int(item, attr::lease_until).value_or(0) < epoch_millis(now);
}

Condition claim_condition(const store::Item& item, TimePoint now) {
  return Condition::all_of({
      Condition::equals(text(attr::updated_at),
                        json::string(json_string(item, attr::updated_at))),  // unchanged since read
      Condition::equals(text(attr::completed), false),
      Condition::less(text(attr::gsi1sk), json::string(due_bound(now))),
      Condition::any_of(
          {Condition::equals(text(attr::status), json::string(reminders::to_string(Status::pending))),
           Condition::all_of({
               Condition::equals(text(attr::status), json::string(reminders::to_string(Status::sending))),
               Condition::less(text(attr::lease_until), epoch_millis(now)),
           })}),
  });
}

}  // namespace

std::vector<ReminderProcessor::Claim> ReminderProcessor::claim(Pass& pass,
                                                               std::vector<store::Item> candidates) {
  constexpr int kTransactionAttempts = 4;
  const TimePoint now = ctx_.now();
  const TimePoint lease_end = now + options_.lease;
  std::vector<Claim> claims;
  std::mutex claims_mutex;
  write_in_transactions(candidates.size(), [&](std::size_t at, std::size_t end) {
    std::vector<store::Item> chunk;
    for (auto i = at; i < end; ++i)
      if (claimable(candidates[i], now)) chunk.push_back(std::move(candidates[i]));
    for (int attempt = 0; attempt < kTransactionAttempts && !chunk.empty(); ++attempt) {
      std::vector<store::WriteOp> writes;
      writes.reserve(chunk.size());
      for (const auto& item : chunk) {
        const auto id = json_string(item, "reminderId");
        store::Update update;
        update.set[attr::status] = reminders::to_string(Status::sending);
        update.set[attr::lease_until] = epoch_millis(lease_end);
        update.set[attr::lease_owner] = pass.owner;
        update.set[attr::gsi1sk] = keys::due_gsi1sk(format_rfc3339(lease_end), id);  // claimable again after
        update.set[attr::updated_at] = format_rfc3339(now);
        update.add.emplace_back(attr::attempts, 1);
        writes.emplace_back(
            store::UpdateItem{store::key_of(item), std::move(update), claim_condition(item, now)});
      }
      try {
        ctx_.store->transact_write(writes);
      } catch (const store::ConditionFailed&) {
        // Someone else claimed or changed one of them: read them again and retry with what is still
        // claimable.
        std::vector<store::Item> fresh;
        for (const auto& item : chunk) {
          auto current = ctx_.store->get(store::key_of(item));
          if (!current) continue;
          if (claimable(*current, now)) {
            fresh.push_back(std::move(*current));
          } else {
            fix_stale_entry(*current, now);
          }
        }
        chunk = std::move(fresh);
        continue;
      }
      std::lock_guard lock(claims_mutex);
      for (auto& item : chunk) {
        Claim claim;
        claim.reminder = reminders::from_item(item);
        claim.reminder.status = Status::sending;
        claim.reminder.attempts += 1;
        claims.push_back(std::move(claim));
      }
      break;
    }
  });
  std::lock_guard lock(pass.mutex);
  pass.summary.claimed += claims.size();
  return claims;
}

// A reminder that sits in the due index but will never be claimable (completed while it was being sent, or
// left there by an interrupted writer) leaves the index, so no processor keeps finding it.
void ReminderProcessor::fix_stale_entry(const store::Item& item, TimePoint now) {
  auto gsi1sk = json_string(item, attr::gsi1sk);
  if (gsi1sk.empty() || gsi1sk >= due_bound(now)) return;
  auto status = reminders::parse_status(json_string(item, attr::status)).value_or(Status::pending);
  const bool completed = json_bool(item, attr::completed);
  const bool awaiting = status == Status::pending || status == Status::sending;
  if (awaiting && !completed) return;  // claimable by the next pass, or leased with a stale index read
  store::Update update;
  if (status == Status::sending) update.set[attr::status] = reminders::to_string(Status::pending);
  update.set[attr::updated_at] = format_rfc3339(now);
  leave_due_index(update);
  drop_lease(update);
  try {
    update_reminder(
        ctx_, store::key_of(item), std::move(update),
        Condition::equals(text(attr::updated_at), json::string(json_string(item, attr::updated_at))));
  } catch (const store::ConditionFailed&) {
    // Changed meanwhile: the next pass looks again.
  }
}

}  // namespace kefir::jobs
