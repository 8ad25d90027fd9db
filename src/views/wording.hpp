#pragma once
// How the public page and the bottle label name dates, kinds, stages, statuses and events, in English.
#include <string>
#include <string_view>

#include "util/time.hpp"

namespace kefir::views {

std::string day_text(TimePoint t);     // "6 Dec 2026"
std::string moment_text(TimePoint t);  // "6 Dec 2026, 21:05 UTC"
std::string kind_text(std::string_view kind);
std::string stage_text(std::string_view stage);
std::string status_text(std::string_view status);
std::string event_title(std::string_view type);

}  // namespace kefir::views
