#include "domain/quiet_hours.hpp"

#include <array>
#include <cstdio>

namespace kefir::reminders {
namespace {

constexpr tz::Seconds kDay = 86400;

tz::Seconds floor_div(tz::Seconds a, tz::Seconds b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

tz::Seconds to_seconds(minutes m) {
  return std::chrono::duration_cast<seconds>(m).count();
}

TimePoint from_seconds(tz::Seconds s) {
  return TimePoint(std::chrono::duration_cast<milliseconds>(seconds(s)));
}

constexpr std::array<std::string_view, 7> kWeekdays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths = {"January",   "February", "March",    "April",
                                                      "May",       "June",     "July",     "August",
                                                      "September", "October",  "November", "December"};

}  // namespace

std::optional<minutes> parse_clock_time(std::string_view text) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(text[0]) || !digit(text[1]) || !digit(text[3]) ||
      !digit(text[4]))
    return std::nullopt;
  const int hour = (text[0] - '0') * 10 + (text[1] - '0');
  const int minute = (text[3] - '0') * 10 + (text[4] - '0');
  if (hour > 23 || minute > 59) return std::nullopt;
  return minutes(hour * 60 + minute);
}

std::string format_clock_time(minutes time_of_day) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", static_cast<int>(time_of_day.count() / 60),
                static_cast<int>(time_of_day.count() % 60));
  return text;
}

TimePoint delivery_time(TimePoint scheduled, const tz::TimeZone& zone, const QuietHours& quiet) {
  if (!quiet.enabled || quiet.start == quiet.end) return scheduled;
  const tz::Seconds utc = floor_div(epoch_millis(scheduled), 1000);
  const tz::Seconds local = zone.to_local(utc);
  const tz::Seconds day = floor_div(local, kDay);
  const tz::Seconds time_of_day = local - day * kDay;
  const tz::Seconds start = to_seconds(quiet.start);
  const tz::Seconds end = to_seconds(quiet.end);

  tz::Seconds end_day = day;
  if (start < end) {
    if (time_of_day < start || time_of_day >= end) return scheduled;
  } else if (time_of_day >= start) {
    end_day = day + 1;  // the evening part: the window ends tomorrow morning
  } else if (time_of_day >= end) {
    return scheduled;
  }
  const tz::Seconds local_end = end_day * kDay + end;
  for (auto instant : zone.instants_of(local_end)) {
    const TimePoint candidate = from_seconds(instant);
    if (candidate >= scheduled) return candidate;
  }
  return std::max(scheduled, from_seconds(zone.resolve(local_end)));
}

std::string spoken_time(TimePoint when, TimePoint now, const tz::TimeZone& zone) {
  const tz::Seconds local = zone.to_local(floor_div(epoch_millis(when), 1000));
  const tz::Seconds day = floor_div(local, kDay);
  const tz::Seconds today = floor_div(zone.to_local(floor_div(epoch_millis(now), 1000)), kDay);
  const std::string clock = format_clock_time(minutes((local - day * kDay) / 60));
  if (day == today) return "today " + clock;
  if (day == today + 1) return "tomorrow " + clock;
  const std::chrono::sys_days date{std::chrono::days(day)};
  if (day > today && day < today + 7)
    return std::string(kWeekdays[std::chrono::weekday(date).c_encoding()]) + " " + clock;
  const std::chrono::year_month_day ymd(date);
  return std::to_string(static_cast<unsigned>(ymd.day())) + " " +
         std::string(kMonths[static_cast<unsigned>(ymd.month()) - 1]) + " " + clock;
}

std::string delivery_note(TimePoint due, TimePoint deliver_at, TimePoint now, const tz::TimeZone& zone) {
  std::string note = "Due " + spoken_time(due, now, zone);
  if (deliver_at != due)
    note += ", in your quiet hours: delivered " + spoken_time(deliver_at, now, zone) + ", when they end";
  return note + ".";
}

}  // namespace kefir::reminders
