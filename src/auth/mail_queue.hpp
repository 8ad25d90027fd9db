#pragma once
// Sends mail off the request path (SPEC §2): send() only enqueues, so /auth/login answers in the same time
// whether or not a code goes out, and a slow or failing mail server never holds a request. A worker thread
// hands messages to the transport, retrying transient failures with growing delays and logging every outcome
// (the recipient through log::email, so stage prod never logs a full address; never the body, which holds the
// code).
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ops/metrics.hpp"
#include "ports/mailer.hpp"

namespace kefir::auth {

struct MailQueueOptions {
  std::size_t capacity = 1000;  // messages waiting; beyond it new ones are dropped (and logged)
  // Delay before each retry; the number of entries is the number of retries.
  std::vector<std::chrono::milliseconds> retry_delays = {std::chrono::seconds(2), std::chrono::seconds(10),
                                                         std::chrono::seconds(30), std::chrono::seconds(60)};
  std::chrono::milliseconds drain_timeout =
      std::chrono::seconds(5);  // how long the destructor waits for sends
  // Deliver inside send(), once, without a worker: under Lambda the process is frozen after each response, so
  // nothing may be left to a background thread (Config::lambda_mode).
  bool synchronous = false;
};

class MailQueue final : public mail::Mailer {
 public:
  // `transport_name` labels logs and metrics ("smtp", "console").
  MailQueue(std::unique_ptr<mail::Mailer> transport, std::string transport_name, ops::ServiceMetrics& metrics,
            MailQueueOptions options = {});
  // Sends what is due within drain_timeout, then aborts a send still in progress and drops the rest (logged).
  ~MailQueue() override;
  MailQueue(const MailQueue&) = delete;
  MailQueue& operator=(const MailQueue&) = delete;

  void send(const mail::Message& message) override;

 private:
  struct Pending {
    mail::Message message;
    std::size_t attempts = 0;
    std::chrono::steady_clock::time_point due;
  };

  void run();
  void deliver(Pending pending);

  std::unique_ptr<mail::Mailer> transport_;
  std::string transport_name_;
  ops::ServiceMetrics& metrics_;
  MailQueueOptions options_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Pending> pending_;  // ordered by `due`
  bool stopping_ = false;
  bool finished_ = false;  // the worker has left its loop
  std::chrono::steady_clock::time_point drain_deadline_;
  std::thread worker_;
};

}  // namespace kefir::auth
