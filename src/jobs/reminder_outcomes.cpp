// Recording what happened to claimed reminders: sent with their tickets, retried later with backoff, failed,
// or given back unsent; each write only while the claim is still this pass's.
#include <algorithm>

#include "domain/keys.hpp"
#include "jobs/reminder_pass.hpp"
#include "ops/metrics.hpp"
#include "util/log.hpp"

namespace kefir::jobs {

using reminder_pass::device_id_array;
using reminder_pass::drop_lease;
using reminder_pass::leave_due_index;
using reminder_pass::text;
using reminder_pass::write_in_transactions;
using reminders::Status;
using store::Condition;
namespace attr = reminders::attr;

void ReminderProcessor::record(Pass& pass, std::vector<Claim>& claims) {
  const TimePoint now = ctx_.now();
  std::vector<store::UpdateItem> writes;
  writes.reserve(claims.size());
  for (auto& claim : claims) {
    auto update = outcome_update(claim, now);
    const Condition ours = Condition::all_of({
        Condition::equals(text(attr::status), json::string(reminders::to_string(Status::sending))),
        Condition::equals(text(attr::lease_owner), json::string(pass.owner)),
    });
    const auto& r = claim.reminder;
    writes.push_back({keys::reminder(r.user_id, r.reminder_id), std::move(update), ours});
  }
  count_outcomes(pass, claims, write_outcomes(writes, claims), now);
}

store::Update ReminderProcessor::outcome_update(Claim& claim, TimePoint now) {
  const auto& r = claim.reminder;
  if (claim.result == Claim::Result::retry && r.attempts >= options_.max_attempts)
    claim.fail("attempts_exhausted: " + claim.reason, "attempts_exhausted");
  store::Update update;
  update.set[attr::updated_at] = format_rfc3339(now);
  drop_lease(update);
  switch (claim.result) {
    case Claim::Result::sent:
      update.set[attr::status] = reminders::to_string(Status::sent);
      update.set[attr::sent_at] = format_rfc3339(now);
      update.set[attr::tickets] = reminders::to_json(claim.tickets);
      if (!r.resend_to.empty()) update.set[attr::resent] = true;
      update.remove.emplace_back(attr::resend_to);
      update.remove.emplace_back(attr::last_error);
      leave_due_index(update);
      break;
    case Claim::Result::retry: {
      const TimePoint again = now + retry_delay(r.attempts);
      update.set[attr::status] = reminders::to_string(Status::pending);
      update.set[attr::gsi1sk] = keys::due_gsi1sk(format_rfc3339(again), r.reminder_id);
      update.set[attr::last_error] = claim.reason;
      if (!claim.resend_to.empty()) {
        update.set[attr::resend_to] = device_id_array(claim.resend_to);
        update.set[attr::sent_at] = format_rfc3339(now);  // the other devices have it now
      }
      break;
    }
    case Claim::Result::failed:
      if (!claim.resend_to.empty()) update.set[attr::sent_at] = format_rfc3339(now);
      if (!r.resend_to.empty() || !claim.resend_to.empty()) {
        // Only a resend failed: the reminder was delivered (before, or now to other devices) and stays
        // sent.
        update.set[attr::status] = reminders::to_string(Status::sent);
        update.set[attr::resent] = true;
        update.set[attr::last_error] = claim.reason;
        update.remove.emplace_back(attr::resend_to);
      } else {
        update.set[attr::status] = reminders::to_string(Status::failed);
        update.set[attr::failure_reason] = claim.reason;
      }
      leave_due_index(update);
      break;
    case Claim::Result::unsent:
      // Given back untouched: due again at once, and this attempt does not count.
      update.set[attr::status] = reminders::to_string(Status::pending);
      update.set[attr::gsi1sk] = keys::due_gsi1sk(format_rfc3339(r.delivery()), r.reminder_id);
      update.add.emplace_back(attr::attempts, -1);
      break;
  }
  return update;
}

std::vector<char> ReminderProcessor::write_outcomes(const std::vector<store::UpdateItem>& writes,
                                                    const std::vector<Claim>& claims) {
  // Not vector<bool>: slices written at once set their own elements.
  std::vector<char> written(writes.size(), false);
  write_in_transactions(writes.size(), [&](std::size_t at, std::size_t end) {
    try {
      ctx_.store->transact_write(
          std::vector<store::WriteOp>(writes.begin() + static_cast<std::ptrdiff_t>(at),
                                      writes.begin() + static_cast<std::ptrdiff_t>(end)));
      std::fill(written.begin() + static_cast<std::ptrdiff_t>(at),
                written.begin() + static_cast<std::ptrdiff_t>(end), true);
    } catch (const store::ConditionFailed&) {
      // One of them is no longer ours (deleted, or our lease lapsed and another processor took it): the rest
      // are written one by one.
      for (auto i = at; i < end; ++i) {
        try {
          ctx_.store->update(writes[i].key, writes[i].update, writes[i].condition);
          written[i] = true;
        } catch (const store::ConditionFailed&) {
          log::warn("reminder outcome not recorded: no longer ours",
                    {{"reminderId", claims[i].reminder.reminder_id}});
        }
      }
    }
  });
  return written;
}

void ReminderProcessor::count_outcomes(Pass& pass, const std::vector<Claim>& claims,
                                       const std::vector<char>& written, TimePoint now) {
  PassSummary counts;
  std::vector<PendingReceipt> receipts;
  for (std::size_t i = 0; i < claims.size(); ++i) {
    if (!written[i]) continue;
    const auto& claim = claims[i];
    switch (claim.result) {
      case Claim::Result::sent:
        ++counts.sent;
        for (const auto& ticket : claim.tickets) {
          receipts.push_back({ticket.id, claim.reminder.user_id, claim.reminder.reminder_id, ticket.device_id,
                              ticket.token, now, now + options_.receipt_delay});
        }
        break;
      case Claim::Result::retry:
        ++counts.retried;
        metrics_.reminder_retried();
        break;
      case Claim::Result::failed:
        ++counts.failed;
        metrics_.reminder_failed(claim.metric_label);
        break;
      case Claim::Result::unsent:
        ++counts.released;
        break;
    }
  }
  if (counts.sent > 0) metrics_.reminder_sent(counts.sent);
  {
    std::lock_guard lock(mutex_);
    for (auto& receipt : receipts) receipts_.push_back(std::move(receipt));
  }
  std::lock_guard lock(pass.mutex);
  pass.summary.sent += counts.sent;
  pass.summary.failed += counts.failed;
  pass.summary.retried += counts.retried;
  pass.summary.released += counts.released;
  for (std::size_t i = 0; i < claims.size(); ++i) {
    const auto& claim = claims[i];
    if (!written[i] || (claim.result != Claim::Result::sent && claim.result != Claim::Result::failed))
      continue;
    const auto& r = claim.reminder;
    pass.outcomes[r.user_id].push_back({changes::Kind::reminder, r.reminder_id, "",
                                        keys::reminder(r.user_id, r.reminder_id), changes::Op::update});
  }
}

milliseconds ReminderProcessor::retry_delay(std::int64_t attempts) {
  // From about first_retry, doubling per attempt, with ±25% jitter so retries of many reminders spread out.
  const auto base = options_.first_retry * (std::int64_t{1} << std::clamp<std::int64_t>(attempts - 1, 0, 20));
  std::uniform_real_distribution<double> jitter(0.75, 1.25);
  std::lock_guard lock(mutex_);
  return milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * jitter(random_)));
}

}  // namespace kefir::jobs
