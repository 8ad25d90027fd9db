#pragma once
// Compact JSON text with plain decimal numbers: "2.726" and "35.5" where boost::json writes "2.726E0" and
// "3.55E1". For text people and their tools read (log lines, CSV cells, messages).
#include <cstdint>
#include <string>
#include <string_view>

#include "util/json.hpp"

namespace kefir::json_text {

// The shortest decimal that reads back as the same double ("0.1", "1e+21" only past 1e21).
std::string number(double value);

void append(std::string& out, const json::value& value);
// A quoted string with the escapes boost::json writes (quote, backslash, control characters); UTF-8 as is.
void append_string(std::string& out, std::string_view text);
void append_integer(std::string& out, std::int64_t value);
std::string serialize(const json::value& value);

}  // namespace kefir::json_text
