#include <gtest/gtest.h>

#include "domain/keys.hpp"
#include "domain/reminder.hpp"
#include "http/errors.hpp"

namespace kefir::reminders {
namespace {

const TimePoint kNow = *parse_rfc3339("2026-03-01T12:00:00.000Z");

Reminder sample(Status status = Status::pending, bool completed = false) {
  Reminder r;
  r.reminder_id = "5b0e7c1e-4a7e-4f7a-9c39-1d3f8d6e2a10";
  r.batch_id = "01890a5d-ac96-774b-bcce-b302099a8057";
  r.batch_name = "Ginger lemon";
  r.user_id = "user-1";
  r.type = "midpoint_check";
  r.message = "Taste it";
  r.scheduled_time = kNow + hours(5);
  r.status = status;
  r.completed = completed;
  r.created_at = kNow;
  r.updated_at = kNow;
  return r;
}

// The VALIDATION_ERROR details a call throws, as "field: problem" lines.
template <typename F>
std::vector<std::string> problems_of(F&& call) {
  try {
    call();
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.failure(), domain::Failure::Invalid);
    EXPECT_EQ(error.code(), "VALIDATION_ERROR");
    std::vector<std::string> out;
    for (const auto& d : error.details()) out.push_back(d.field + ": " + d.problem);
    return out;
  }
  ADD_FAILURE() << "no validation error";
  return {};
}

json::object confirm_body(json::array reminders) {
  return {{"reminders", std::move(reminders)}};
}

json::object entry(TimePoint t, std::string message = "Check") {
  return {{"scheduledTime", format_rfc3339(t)}, {"message", std::move(message)}};
}

TEST(ReminderItem, RoundTripsThroughTheStoredItem) {
  auto r = sample();
  r.attempts = 2;
  r.tickets = {{"ticket-1", "phone", "ExponentPushToken[abc]"}};
  r.resend_to = {"phone"};
  r.receipt_error = "MessageTooBig";
  r.completed_at = kNow + hours(1);
  auto back = from_item(to_item(r));
  EXPECT_EQ(back.reminder_id, r.reminder_id);
  EXPECT_EQ(back.batch_name, "Ginger lemon");
  EXPECT_EQ(back.scheduled_time, r.scheduled_time);
  EXPECT_EQ(back.status, Status::pending);
  EXPECT_EQ(back.attempts, 2);
  ASSERT_EQ(back.tickets.size(), 1u);
  EXPECT_EQ(back.tickets[0].id, "ticket-1");
  EXPECT_EQ(back.tickets[0].token, "ExponentPushToken[abc]");
  EXPECT_EQ(back.resend_to, std::vector<std::string>{"phone"});
  EXPECT_EQ(back.receipt_error, "MessageTooBig");
  EXPECT_EQ(back.completed_at, r.completed_at);
}

TEST(ReminderItem, KeysComeFromTheKeyModule) {
  auto item = to_item(sample());
  auto key = keys::reminder("user-1", sample().reminder_id);
  EXPECT_EQ(json_string(item, "PK"), key.pk);
  EXPECT_EQ(json_string(item, "SK"), key.sk);
  EXPECT_EQ(json_string(item, "GSI1PK"), keys::due_shard(sample().reminder_id));
  EXPECT_EQ(json_string(item, "GSI1SK"), keys::due_gsi1sk("2026-03-01T17:00:00.000Z", sample().reminder_id));
}

TEST(ReminderItem, OnlyRemindersAwaitingDeliveryAreInTheDueIndex) {
  EXPECT_TRUE(to_item(sample(Status::pending)).contains("GSI1PK"));
  EXPECT_TRUE(to_item(sample(Status::sending)).contains("GSI1SK"));
  for (auto status : {Status::sent, Status::failed, Status::cancelled}) {
    auto item = to_item(sample(status));
    EXPECT_FALSE(item.contains("GSI1PK")) << to_string(status);
    EXPECT_FALSE(item.contains("GSI1SK")) << to_string(status);
  }
  EXPECT_FALSE(to_item(sample(Status::pending, true)).contains("GSI1PK"));  // completed: never sent
}

TEST(ReminderItem, IsIndexedByItsDeliveryTime) {
  auto held = sample();
  held.deliver_at = *parse_rfc3339("2026-03-02T07:00:00.000Z");  // the end of the user's quiet hours
  const auto item = to_item(held);
  EXPECT_EQ(json_string(item, "GSI1SK"), keys::due_gsi1sk("2026-03-02T07:00:00.000Z", held.reminder_id));
  EXPECT_EQ(json_string(item, "scheduledTime"), "2026-03-01T17:00:00.000Z");
  EXPECT_EQ(from_item(item).delivery(), held.deliver_at);
  EXPECT_EQ(to_json(from_item(item)).at("deliverAt"), "2026-03-02T07:00:00.000Z");
  // Stored before quiet hours existed: delivered at its scheduled time.
  auto legacy = to_item(sample());
  legacy.erase("deliverAt");
  EXPECT_EQ(from_item(legacy).delivery(), sample().scheduled_time);
}

TEST(ReminderJson, HasEveryFieldOfTheSpecAndNoBookkeeping) {
  auto r = sample(Status::failed);
  r.failure_reason = "no_devices";
  r.tickets = {{"t", "d", "ExponentPushToken[x]"}};
  auto body = to_json(r);
  for (const char* field : {"reminderId", "batchId", "batchName", "userId", "type", "message",
                            "scheduledTime", "deliverAt", "status", "completed", "completedAt", "sentAt",
                            "attempts", "failureReason", "createdAt", "updatedAt"})
    EXPECT_TRUE(body.contains(field)) << field;
  EXPECT_EQ(body.at("status"), "failed");
  EXPECT_EQ(body.at("failureReason"), "no_devices");
  EXPECT_TRUE(body.at("completedAt").is_null());
  EXPECT_TRUE(body.at("sentAt").is_null());
  EXPECT_EQ(body.at("scheduledTime"), "2026-03-01T17:00:00.000Z");
  EXPECT_EQ(body.at("deliverAt"), "2026-03-01T17:00:00.000Z");  // not moved by quiet hours
  EXPECT_FALSE(body.contains("tickets"));
  EXPECT_FALSE(body.contains("leaseUntil"));
  EXPECT_FALSE(body.contains("GSI1PK"));
}

TEST(ReminderStatus, ParsesOnlyKnownNames) {
  for (auto status : {Status::pending, Status::sending, Status::sent, Status::failed, Status::cancelled})
    EXPECT_EQ(parse_status(to_string(status)), status);
  EXPECT_EQ(parse_status("done"), std::nullopt);
}

TEST(ConfirmBody, AcceptsOneToTenFutureRemindersWithinSixtyDays) {
  auto parsed = parse_confirm(confirm_body({entry(kNow + minutes(1)),
                                            json::object{{"scheduledTime", "2026-03-03T09:30:00+02:00"},
                                                         {"message", "Bottle"},
                                                         {"type", "ready_to_bottle"}},
                                            entry(kNow + hours(24 * 60))}),
                              kNow);
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[0].type, "custom");
  EXPECT_EQ(parsed[1].type, "ready_to_bottle");
  EXPECT_EQ(format_rfc3339(parsed[1].scheduled_time), "2026-03-03T07:30:00.000Z");
  EXPECT_EQ(parsed[2].scheduled_time, kNow + hours(24 * 60));

  json::array ten;
  for (int i = 0; i < 10; ++i) ten.push_back(entry(kNow + hours(i + 1)));
  EXPECT_EQ(parse_confirm(confirm_body(ten), kNow).size(), 10u);
}

TEST(ConfirmBody, RejectsCountsOutsideOneToTen) {
  EXPECT_EQ(problems_of([] { parse_confirm(confirm_body({}), kNow); }),
            std::vector<std::string>{"reminders: must hold 1-10 reminders"});
  json::array eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(entry(kNow + hours(i + 1)));
  EXPECT_EQ(problems_of([&] { parse_confirm(confirm_body(eleven), kNow); }),
            std::vector<std::string>{"reminders: must hold 1-10 reminders"});
  EXPECT_EQ(problems_of([] { parse_confirm({}, kNow); }), std::vector<std::string>{"reminders: is required"});
}

TEST(ConfirmBody, NamesEveryBadFieldOfEveryReminder) {
  auto problems = problems_of([] {
    parse_confirm(confirm_body({entry(kNow - seconds(1)), entry(kNow + hours(24 * 60) + seconds(1)),
                                entry(kNow + hours(1), std::string(201, 'x')),
                                json::object{{"scheduledTime", "tomorrow"}, {"message", ""}, {"when", 1}},
                                json::value(3)}),
                  kNow);
  });
  std::vector<std::string> want = {
      "reminders[0].scheduledTime: must be in the future",
      "reminders[1].scheduledTime: must be at most 60 days ahead",
      "reminders[2].message: must be 1-200 characters",
      "reminders[3].scheduledTime: must be an RFC 3339 date-time",
      "reminders[3].message: must be 1-200 characters",
      "reminders[3].when: unknown field",
      "reminders[4]: must be an object",
  };
  EXPECT_EQ(problems, want);
  // "Now" itself is not the future.
  EXPECT_FALSE(problems_of([] { parse_confirm(confirm_body({entry(kNow)}), kNow); }).empty());
}

TEST(ConfirmBody, CountsMessageLengthInCharactersAndRejectsUnknownTopLevelFields) {
  std::string two_hundred;
  for (int i = 0; i < 200; ++i) two_hundred += "é";
  EXPECT_EQ(parse_confirm(confirm_body({entry(kNow + hours(1), two_hundred)}), kNow)[0].message, two_hundred);
  auto body = confirm_body({entry(kNow + hours(1))});
  body["batchId"] = "x";
  EXPECT_EQ(problems_of([&] { parse_confirm(body, kNow); }),
            std::vector<std::string>{"batchId: unknown field"});
}

TEST(PatchBody, HasTheSameLimitsAsConfirm) {
  auto patch = parse_patch({{"scheduledTime", format_rfc3339(kNow + hours(2))}, {"message", "Later"}}, kNow);
  EXPECT_EQ(patch.scheduled_time, kNow + hours(2));
  EXPECT_EQ(patch.message, "Later");
  auto empty = parse_patch({}, kNow);
  EXPECT_FALSE(empty.scheduled_time);
  EXPECT_FALSE(empty.message);

  EXPECT_EQ(problems_of([] {
              parse_patch({{"scheduledTime", format_rfc3339(kNow - hours(1))}}, kNow);
            }),
            std::vector<std::string>{"scheduledTime: must be in the future"});
  EXPECT_EQ(problems_of([] {
              parse_patch({{"scheduledTime", format_rfc3339(kNow + hours(24 * 61))}}, kNow);
            }),
            std::vector<std::string>{"scheduledTime: must be at most 60 days ahead"});
  EXPECT_EQ(problems_of([] {
              parse_patch({{"message", ""}}, kNow);
            }),
            std::vector<std::string>{"message: must be 1-200 characters"});
  EXPECT_EQ(problems_of([] {
              parse_patch({{"status", "sent"}}, kNow);
            }),
            std::vector<std::string>{"status: unknown field"});
  EXPECT_EQ(problems_of([] {
              parse_patch({{"message", nullptr}}, kNow);
            }),
            std::vector<std::string>{"message: must not be null"});
}

TEST(FollowsFermentation, OnlyAWaitingUnpinnedNeverSentSuggestionMovesOthersMayLater) {
  auto suggestion = sample();
  suggestion.model_fraction = 0.5;
  EXPECT_TRUE(follows_fermentation(suggestion));
  EXPECT_TRUE(may_follow_fermentation(suggestion));
  EXPECT_FALSE(may_follow_fermentation(sample()));  // the user's own time

  auto pinned = suggestion;
  pinned.pinned = true;  // may be unpinned
  auto sending = suggestion;
  sending.status = Status::sending;  // may be given back to wait
  for (const auto& later : {pinned, sending}) {
    EXPECT_FALSE(follows_fermentation(later));
    EXPECT_TRUE(may_follow_fermentation(later));
  }

  auto completed = suggestion;
  completed.completed = true;
  auto resending = suggestion;  // sent, and waiting to be resent to one device: it never moves
  resending.sent_at = kNow;
  std::vector<Reminder> never{completed, resending};
  for (auto status : {Status::sent, Status::failed, Status::cancelled}) {
    never.push_back(suggestion);
    never.back().status = status;
  }
  for (const auto& r : never) {
    EXPECT_FALSE(follows_fermentation(r)) << to_string(r.status);
    EXPECT_FALSE(may_follow_fermentation(r)) << to_string(r.status);
  }
}

TEST(RetimeHint, ConfirmingClearsTheMarkAndBumpsTheGenerationTheMarkIsConditionedOn) {
  const auto mark = mark_retime_hint("b1");
  EXPECT_EQ(mark.key.pk, keys::events_pk("b1"));
  EXPECT_EQ(mark.key.sk, keys::retime_hint("b1").sk);
  EXPECT_FALSE(mark.condition);
  ASSERT_EQ(mark.update.add.size(), 1u);
  EXPECT_EQ(mark.update.add[0],
            (std::pair<std::string, std::int64_t>{std::string(kRetimeHintGeneration), 1}));
  EXPECT_EQ(mark.update.remove, std::vector<std::string>{std::string(kRetimeHintNone)});

  // No hint (a batch from before it): not known, so looked at; marked only while no confirmation came
  // between.
  EXPECT_FALSE(nothing_to_retime(std::nullopt));
  const auto first = set_nothing_to_retime("b1", std::nullopt);
  EXPECT_EQ(first.update.set.at(kRetimeHintNone), true);
  ASSERT_TRUE(first.condition);
  EXPECT_EQ(first.condition->op, store::Condition::Op::not_exists);
  EXPECT_EQ(first.condition->attribute, "generation");

  const store::Item confirmed{{"PK", mark.key.pk}, {"SK", mark.key.sk}, {"generation", 3}};
  EXPECT_FALSE(nothing_to_retime(confirmed));
  const auto later = set_nothing_to_retime("b1", confirmed);
  ASSERT_TRUE(later.condition);
  EXPECT_EQ(later.condition->op, store::Condition::Op::equals);
  EXPECT_EQ(later.condition->attribute, "generation");
  EXPECT_EQ(later.condition->value, json::value(3));
  EXPECT_TRUE(nothing_to_retime(store::Item{{"generation", 3}, {"nothingToRetime", true}}));
}

}  // namespace
}  // namespace kefir::reminders
