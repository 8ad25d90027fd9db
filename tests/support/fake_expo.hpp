#pragma once
// A local stand-in for the Expo Push API (send and getReceipts) on 127.0.0.1: answers as Expo does, can be
// scripted (failing requests, per-token ticket and receipt errors, holding requests), and records every
// message.
#include <boost/json.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kefir::test {

struct ExpoMessage {
  boost::json::object message;
  std::string authorization;  // the request's Authorization header
  std::chrono::system_clock::time_point received_at;
  std::size_t request_size = 0;  // messages in the request that carried it
  bool accepted = false;         // answered with an "ok" ticket
  std::string ticket_id;

  std::string data(const char* field) const;  // message.data.<field>
};

class FakeExpo {
 public:
  FakeExpo();
  ~FakeExpo();
  FakeExpo(const FakeExpo&) = delete;
  FakeExpo& operator=(const FakeExpo&) = delete;

  std::string push_url() const;  // http://127.0.0.1:<port>/--/api/v2/push/send

  // The next `count` send requests are answered with `http_status` (e.g. 500, 429) and no tickets.
  void fail_next_sends(int count, int http_status);
  // Tickets (or receipts) for messages to `token` are errors with this Expo code, e.g. "DeviceNotRegistered".
  void set_ticket_error(const std::string& token, const std::string& code);
  void set_receipt_error(const std::string& token, const std::string& code);
  // While held, send requests are recorded but not answered (a sender stuck mid-request).
  void hold_sends(bool hold);

  std::vector<ExpoMessage> messages() const;  // every message received, in arrival order
  std::vector<ExpoMessage> accepted() const;  // those answered with an ok ticket
  std::map<std::string, int> accepted_by_reminder() const;
  std::size_t send_requests() const;
  std::size_t receipt_requests() const;
  std::vector<std::string> receipt_ids_requested() const;
  // Waits until at least `count` messages were accepted; false on timeout.
  bool wait_for_accepted(std::size_t count, std::chrono::milliseconds timeout) const;
  bool wait_for_received(std::size_t count, std::chrono::milliseconds timeout) const;
  bool wait_for_receipt_requests(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  struct Server;
  // `peer_gone` tells whether the client hung up while its request was held: its messages then count as
  // never delivered (a killed sender never saw a ticket).
  std::string handle_send(const std::string& body, const std::string& authorization,
                          const std::function<bool()>& peer_gone, int& status);
  std::string handle_receipts(const std::string& body);

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  int failures_left_ = 0;
  int failure_status_ = 500;
  bool hold_ = false;
  bool stopping_ = false;
  std::map<std::string, std::string> ticket_errors_;
  std::map<std::string, std::string> receipt_errors_;
  std::vector<ExpoMessage> messages_;
  std::map<std::string, std::string> token_of_ticket_;
  std::size_t accepted_count_ = 0;
  std::size_t send_requests_ = 0;
  std::size_t receipt_requests_ = 0;
  std::vector<std::string> receipt_ids_;
  std::unique_ptr<Server> server_;
};

}  // namespace kefir::test
