#pragma once
// The Expo Push API client (SPEC §5): JSON arrays of at most 100 messages to EXPO_PUSH_URL, receipts from the
// matching /push/getReceipts URL (at most 1000 ids a call), a bearer token when configured. Sends are paced
// by a token bucket of EXPO_RATE notifications per second (0 = unlimited) holding one second's worth,
// requests carry at most that many messages, and at most 6 requests run at once.
#include <chrono>
#include <memory>
#include <semaphore>
#include <string>

#include "adapters/aws/http_client.hpp"
#include "ports/push_sender.hpp"
#include "util/token_bucket.hpp"

namespace kefir::push {

struct ExpoOptions {
  std::string push_url = "https://exp.host/--/api/v2/push/send";
  std::string access_token;  // empty: no Authorization header
  double rate = 600;         // notifications per second; 0 = unlimited
  std::chrono::milliseconds timeout{10000};
};

inline constexpr std::size_t kExpoMaxMessages = 100;
inline constexpr std::size_t kExpoMaxReceiptIds = 1000;
inline constexpr std::ptrdiff_t kExpoMaxConcurrentRequests = 6;

// ".../push/send" -> ".../push/getReceipts".
std::string expo_receipts_url(const std::string& push_url);
// The JSON body of a send request: the message shape of the spec.
std::string expo_send_body(const std::vector<Message>& messages);

class ExpoPushSender final : public PushSender {
 public:
  explicit ExpoPushSender(ExpoOptions options);

  std::size_t max_messages_per_request() const override { return messages_per_request_; }
  std::size_t max_receipt_ids_per_request() const override { return kExpoMaxReceiptIds; }
  SendResult send(const std::vector<Message>& messages) override;
  std::map<std::string, Receipt> receipts(const std::vector<std::string>& ticket_ids) override;

 private:
  http::Headers headers() const;
  net::HttpResponse post(const std::string& url, const std::string& body);

  ExpoOptions options_;
  std::string receipts_url_;
  net::HttpClient client_;
  std::size_t messages_per_request_;
  TokenBucket rate_;
  std::counting_semaphore<kExpoMaxConcurrentRequests> in_flight_{kExpoMaxConcurrentRequests};
};

}  // namespace kefir::push
