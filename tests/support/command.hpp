#pragma once
// Running a shell command line from a test (promtool, python3, rsvg-convert, zbarimg, chromium).
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace kefir::test {

struct CommandOutput {
  int exit_code = -1;
  std::string out;  // stdout; append 2>&1 to the command for stderr too
};

// Runs a shell command line (arguments quoted by the caller, see shell_quoted) and collects its stdout.
inline CommandOutput run(const std::string& command) {
  CommandOutput result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  while (auto n = fread(buffer.data(), 1, buffer.size(), pipe)) result.out.append(buffer.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace kefir::test
