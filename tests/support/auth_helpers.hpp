#pragma once
// Signing in against a real `kefir serve` in stage dev (console mail): POST /auth/login, read the code the server
// appended to <DATA_DIR>/outbox.log, POST /auth/verify. Any suite that needs tokens uses sign_in().
#include <chrono>
#include <string>
#include <vector>

#include "support/server_process.hpp"

namespace kefir::test {

struct SignedIn {
  std::string access_token;
  std::string id_token;
  std::string refresh_token;
  std::string user_id;
};

// Throws std::runtime_error (with the server's answer) when any step fails. Signing in twice with one email
// inside the 30 s resend cooldown works but waits for the cooldown: prefer unique_email() per test.
SignedIn sign_in(const ServerProcess& server, const std::string& email);

// "<prefix>-<random>@example.com", lower case: a fresh account for each test.
std::string unique_email(const std::string& prefix = "user");

// The console mails of stage dev, as the server wrote them to <data_dir>/outbox.log, oldest first.
struct OutboxMail {
  std::string to;
  std::string subject;
  std::string body;
  std::string code;  // the 6-digit code in the body, "" when none
};
std::vector<OutboxMail> read_outbox(const std::string& data_dir);
std::size_t count_mails(const std::string& data_dir, const std::string& email);
// Waits until more than `known` mails for `email` are in the outbox; returns the newest one's code, or "".
std::string wait_for_new_code(const std::string& data_dir, const std::string& email, std::size_t known,
                              std::chrono::milliseconds timeout);

}  // namespace kefir::test
