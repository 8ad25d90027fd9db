#pragma once
// Signing in against a real `kefir serve` in stage dev (console mail): POST /auth/login, read the code the
// server appended to <DATA_DIR>/outbox.log, POST /auth/verify. Any suite that needs tokens uses sign_in().
#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "ports/clock.hpp"
#include "support/http_client.hpp"
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
// `source_ip` (any 127.0.0.0/8 address) makes the requests come from another client address, for suites that
// sign in more users than the per-IP limit (30 logins a minute) allows one client.
SignedIn sign_in(const ServerProcess& server, const std::string& email, const std::string& source_ip = {});

// POST a JSON body from a chosen loopback source address (per-client-IP limits see distinct clients).
HttpResponse post_from(const std::string& source_ip, const std::string& url, const boost::json::value& body);

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

// A clock the test moves by hand, for expiry rules that take minutes or hours of real time.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint(std::chrono::milliseconds(1'800'000'000'000)))
      : now_(start.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint(std::chrono::milliseconds(now_.load())); }
  void advance(std::chrono::milliseconds by) { now_ += by.count(); }

 private:
  std::atomic<std::int64_t> now_;
};

// Hand-made JWTs for the rejection tests: any header and claims, signed the way an attacker might.
enum class JwtAlg { none, hs256, rs256, es256 };
// `key`: the HMAC secret (hs256) or a private key PEM (rs256 RSA, es256 P-256); ignored for none.
std::string forge_jwt(const boost::json::object& header, const boost::json::object& claims, JwtAlg alg,
                      std::string_view key);
std::string generate_rsa_pem(int bits = 2048);  // PKCS#8
std::string generate_p256_pem();
std::string to_pkcs1_pem(std::string_view rsa_private_pem);
std::string public_key_pem(std::string_view private_pem);  // SubjectPublicKeyInfo PEM
// The claims of a token (its middle part), without checking anything.
boost::json::object jwt_claims(std::string_view token);
boost::json::object jwt_header(std::string_view token);

}  // namespace kefir::test
