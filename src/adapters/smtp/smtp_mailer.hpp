#pragma once
// SMTP over libcurl (SPEC §2): SMTP_URL such as smtp://user:pass@host:587 (STARTTLS when the server offers
// it) or smtps://host:465 (TLS from the start); MAIL_FROM such as "Kefir <no-reply@example.com>". The message
// is a multipart/alternative of the plain-text and HTML bodies.
#include <atomic>
#include <string>

#include "ports/mailer.hpp"
#include "util/time.hpp"

namespace kefir::mail {

class SmtpMailer final : public Mailer {
 public:
  // Throws std::invalid_argument when MAIL_FROM holds no address.
  SmtpMailer(std::string url, std::string from);
  void send(const Message& message) override;
  void abort() override { aborted_ = true; }

 private:
  std::atomic<bool> aborted_{false};
  std::string url_;
  std::string from_header_;   // as configured: "Kefir <no-reply@example.com>"
  std::string from_address_;  // the envelope sender: "no-reply@example.com"
};

// The address inside "Name <address>", or the whole text when it is a bare address; "" when there is none.
std::string mailbox_address(std::string_view from);
// The RFC 5322 message (CRLF line ends) sent as the SMTP DATA.
std::string format_message(const Message& message, std::string_view from_header,
                           std::string_view from_address, TimePoint date);

}  // namespace kefir::mail
