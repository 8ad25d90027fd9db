#include "adapters/console/console_mailer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kefir::mail {
namespace {

// One write() per message: O_APPEND keeps blocks whole even when several instances share one DATA_DIR.
void write_whole(int fd, const std::string& text, const std::string& what) {
  ssize_t written;
  do {
    written = ::write(fd, text.data(), text.size());
  } while (written < 0 && errno == EINTR);
  if (written != static_cast<ssize_t>(text.size()))
    throw MailError("cannot write " + what + ": " + std::strerror(errno), false);
}

}  // namespace

ConsoleMailer::ConsoleMailer(std::string outbox_path) : outbox_path_(std::move(outbox_path)) {}

std::string console_text(const Message& message) {
  return "----- mail\nTo: " + message.to + "\nSubject: " + message.subject + "\n\n" + message.text + "\n";
}

void ConsoleMailer::send(const Message& message) {
  std::string text = console_text(message);
  write_whole(STDERR_FILENO, text, "stderr");
  int fd = ::open(outbox_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw MailError("cannot open " + outbox_path_ + ": " + std::strerror(errno), false);
  try {
    write_whole(fd, text, outbox_path_);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

}  // namespace kefir::mail
