#pragma once
// The push notification port (SPEC §5): Expo-shaped messages, tickets and receipts. The Expo adapter talks to
// the Expo Push API; tests point it at a local fake.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "util/json.hpp"

namespace kefir::push {

struct Message {
  std::string to;  // an Expo push token
  std::string title;
  std::string body;
  json::object data;
};

// One ticket per message, in the order of the request. An error names Expo's code (details.error), e.g.
// "DeviceNotRegistered" or "MessageRateExceeded".
struct Ticket {
  bool ok = false;
  std::string id;
  std::string error;
  std::string message;
};

struct SendResult {
  enum class Outcome {
    accepted,   // tickets hold one entry per message
    retryable,  // 429, 5xx, network error, unusable answer: the same request may succeed later
    rejected,   // any other answer (bad request, bad credentials): retrying will not help
  };
  Outcome outcome = Outcome::accepted;
  std::vector<Ticket> tickets;
  std::string error;  // why, when not accepted: "http_503", "network: ...", an Expo error code
};

struct Receipt {
  bool ok = false;
  std::string error;  // details.error, e.g. "DeviceNotRegistered", "MessageTooBig"
  std::string message;
};

class PushSender {
 public:
  virtual ~PushSender() = default;
  virtual std::size_t max_messages_per_request() const = 0;
  virtual std::size_t max_receipt_ids_per_request() const = 0;
  // Blocks for the send rate when needed. Thread-safe; callers may send in parallel.
  virtual SendResult send(const std::vector<Message>& messages) = 0;
  // Receipts by ticket id; ids Expo does not know (yet, or any more) are absent. Throws std::runtime_error
  // when the call itself fails.
  virtual std::map<std::string, Receipt> receipts(const std::vector<std::string>& ticket_ids) = 0;
};

}  // namespace kefir::push
