#pragma once
// Stage dev without SMTP_URL (SPEC §2): the message goes to stderr as plain text (stdout stays JSON logs) and
// is appended to DATA_DIR/outbox.log, so a developer, or a test, can sign in locally.
#include <string>

#include "ports/mailer.hpp"

namespace kefir::mail {

class ConsoleMailer final : public Mailer {
 public:
  explicit ConsoleMailer(std::string outbox_path);
  void send(const Message& message) override;

 private:
  std::string outbox_path_;
};

// "To: ...\nSubject: ...\n\n<text>", the block both the console and the outbox get.
std::string console_text(const Message& message);

}  // namespace kefir::mail
