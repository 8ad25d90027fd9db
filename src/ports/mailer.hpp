#pragma once
// The mail port (SPEC §2): sign-in codes go out by email. Adapters: SMTP over libcurl, and the development
// console (stderr plus DATA_DIR/outbox.log). send() blocks until the message is handed over and throws
// MailError when it is not; request handlers never call an adapter directly but go through auth::MailQueue,
// so a slow or failing mail server neither delays a response nor reveals whether an account exists.
#include <stdexcept>
#include <string>

namespace kefir::mail {

struct Message {
  std::string to;  // one address
  std::string subject;
  std::string text;  // plain-text body
  std::string html;  // HTML alternative of the same content
};

class MailError : public std::runtime_error {
 public:
  MailError(const std::string& message, bool permanent)
      : std::runtime_error(message), permanent_(permanent) {}
  // A permanent failure (mailbox rejected) is not retried.
  bool permanent() const { return permanent_; }

 private:
  bool permanent_;
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  virtual void send(const Message& message) = 0;
  // Makes a send in progress, and every later one, fail soon (shutdown must not wait for a silent server).
  virtual void abort() {}
};

}  // namespace kefir::mail
