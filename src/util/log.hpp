#pragma once
// One JSON object per line on stdout. Lines are buffered and written by a background flusher (a write per
// request would cost a syscall on the hot path); warn and error lines flush at once.
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace kefir::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

void set_level(Level level);
bool parse_level(std::string_view text, Level& out);
bool enabled(Level level);
// In stage prod, personal data (emails) is masked by `email` and codes/tokens must never be logged at all.
void set_prod(bool prod);
bool prod();

void write(Level level, std::string_view message, boost::json::object fields = {});
inline void debug(std::string_view message, boost::json::object fields = {}) {
  if (enabled(Level::debug)) write(Level::debug, message, std::move(fields));
}
inline void info(std::string_view message, boost::json::object fields = {}) {
  if (enabled(Level::info)) write(Level::info, message, std::move(fields));
}
inline void warn(std::string_view message, boost::json::object fields = {}) {
  write(Level::warn, message, std::move(fields));
}
inline void error(std::string_view message, boost::json::object fields = {}) {
  write(Level::error, message, std::move(fields));
}
void flush();

// "alice@example.com" in dev; "a***@example.com" in prod.
std::string email(std::string_view address);

}  // namespace kefir::log
