#include "views/wording.hpp"

#include <chrono>
#include <cstdio>

#include "domain/batch.hpp"
#include "domain/event.hpp"

namespace kefir::views {

std::string day_text(TimePoint t) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  return std::to_string(static_cast<unsigned>(ymd.day())) + " " +
         kMonths[static_cast<unsigned>(ymd.month()) - 1] + " " + std::to_string(static_cast<int>(ymd.year()));
}

std::string moment_text(TimePoint t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::minutes>(t - day)};
  char clock[8];
  std::snprintf(clock, sizeof clock, "%02d:%02d", static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()));
  return day_text(t) + ", " + clock + " UTC";
}

std::string kind_text(std::string_view kind) {
  return kind == "milk" ? "Milk kefir" : "Water kefir";
}

std::string stage_text(std::string_view stage) {
  return stage == domain::kStageBottled ? "Second fermentation (bottled)" : "First fermentation (open jar)";
}

std::string status_text(std::string_view status) {
  if (status == "in_fridge") return "In the fridge";
  if (status == "ready") return "Ready";
  if (status == domain::kStatusArchived) return "Finished";
  return "Fermenting";
}

std::string event_title(std::string_view type) {
  if (type == domain::kEventStageChange) return "Stage change";
  if (type == domain::kEventStatusChange) return "Status change";
  if (type == domain::kEventPhotoAdded) return "Photo";
  if (type == domain::kEventMeasurement) return "Measurement";
  if (type == domain::kEventNote) return "Note";
  if (type == domain::kEventAlert) return "Alert";
  return "Observation";
}

}  // namespace kefir::views
