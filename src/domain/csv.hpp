#pragma once
// RFC 4180 CSV rows (SPEC §8): CRLF line ends, a cell quoted when it holds a comma, a quote, CR or LF, quotes
// doubled inside, UTF-8 kept byte for byte. A cell beginning with '=', '+', '-', '@', tab or CR is prefixed
// with
// "'" so a spreadsheet shows it as text instead of running it as a formula (CSV injection).
#include <string>
#include <string_view>
#include <vector>

namespace kefir::csv {

// One cell as it appears in the file (guarded, quoted when needed).
std::string cell(std::string_view value);
// Appends the cells joined by commas and a CRLF to `out`.
void append_row(std::string& out, const std::vector<std::string>& values);

}  // namespace kefir::csv
