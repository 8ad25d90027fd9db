#pragma once
// Reminder use cases (SPEC §5) over the item store: suggestions from the fermentation model, confirming,
// listing, snoozing, completing and cancelling, and what archiving or deleting a batch or an account does to
// reminders. Delivery is the reminder processor's (jobs/reminder_processor.hpp).
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/batch.hpp"
#include "domain/fermentation_model.hpp"
#include "domain/reminder.hpp"
#include "services/context.hpp"

namespace kefir::services {

struct ReminderSuggestion {
  fermentation::Suggestion model;  // its description opens with when it is due, in the user's zone and words
  TimePoint deliver_at;            // suggested_time moved out of the user's quiet hours
};

// What the fermentation model needs of a batch: its current stage, and the user's finished stages for the
// calibration (not read when the batch has an explicit target).
struct FermentationInputs {
  fermentation::BatchSnapshot snapshot;
  std::vector<fermentation::FinishedStage> history;
};
FermentationInputs fermentation_inputs(ServiceContext& ctx, const std::string& user_id,
                                       const domain::Batch& batch);

// 404 when the batch is not the user's.
std::vector<ReminderSuggestion> reminder_suggestions(ServiceContext& ctx, const std::string& user_id,
                                                     std::string_view batch_id);

// Creates the reminders in one transaction with a check that the batch still exists and is not archived.
// 409 for an archived batch or beyond kMaxPendingPerUser pending reminders.
std::vector<reminders::Reminder> confirm_reminders(ServiceContext& ctx, const std::string& user_id,
                                                   std::string_view batch_id,
                                                   const std::vector<reminders::NewReminder>& wanted);

// Every reminder of the batch by scheduledTime; 404 when the batch is not the user's.
std::vector<reminders::Reminder> batch_reminders(ServiceContext& ctx, const std::string& user_id,
                                                 std::string_view batch_id);
// Pending, not completed reminders by scheduledTime; with include_all every status and completed ones too.
std::vector<reminders::Reminder> user_reminders(ServiceContext& ctx, const std::string& user_id,
                                                bool include_all);

// Snooze or edit a pending reminder: 404 unknown, 409 not pending.
reminders::Reminder reschedule_reminder(ServiceContext& ctx, const std::string& user_id,
                                        std::string_view reminder_id, const reminders::ReminderPatch& patch);
// Marks done; a completed reminder leaves the due index and is never sent.
reminders::Reminder complete_reminder(ServiceContext& ctx, const std::string& user_id,
                                      std::string_view reminder_id);
// status: cancelled (idempotent); 409 once it is being sent or was sent or failed.
reminders::Reminder cancel_reminder(ServiceContext& ctx, const std::string& user_id,
                                    std::string_view reminder_id);

// After the user's time zone or quiet hours changed: moves each pending reminder that waits for its delivery
// time (not one being sent or waiting to retry) to the delivery time the new preferences give.
void retime_pending_reminders(ServiceContext& ctx, const std::string& user_id);

// Moves the batch's pending reminders that follow the fermentation (and are not pinned) to when the curve
// reaches their share of the stage, never before now, through reschedule_reminder(); a reminder claimed for
// delivery meanwhile is left alone. Returns how many moved. `measured_curve` is called only when some
// reminder follows it (building it reads the batch, the stage's readings and the user's history, and most
// readings find no such reminder); it gives nullopt when the batch closed meanwhile, and nothing moves. The
// user's reminders are read only while the batch's re-timing hint says one may follow (domain/reminder.hpp);
// the first reading that finds none left takes the hint away.
std::size_t retime_model_reminders(
    ServiceContext& ctx, const std::string& user_id, const std::string& batch_id,
    const std::function<std::optional<fermentation::ProgressCurve>()>& measured_curve);

// The hooks: archiving cancels the batch's pending reminders; deleting a batch or an account deletes them.
void register_reminder_hooks(ServiceContext& ctx);

}  // namespace kefir::services
