#pragma once
// The Web Push port (RFC 8030/8291/8292): one encrypted message to one browser subscription. The adapter
// encrypts, signs the VAPID JWT and POSTs to the subscription's endpoint; tests point it at a local fake.
#include <string>
#include <string_view>

namespace kefir::push {

struct WebPushSubscription {
  std::string endpoint;  // the push service URL the browser was given
  std::string p256dh;    // the browser's P-256 public key, 65 raw bytes
  std::string auth;      // the authentication secret, 16 raw bytes
};

struct WebPushResult {
  enum class Outcome {
    accepted,   // 2xx: the push service queued it
    gone,       // 404/410: the subscription expired or was unsubscribed; forget the device
    retryable,  // 429, 5xx, network error: the same message may be accepted later
    rejected,   // any other answer (bad request, bad VAPID credentials, too large): retrying will not help
  };
  Outcome outcome = Outcome::accepted;
  std::string error;  // why, when not accepted: "http_410", "network: ..."
};

class WebPushSender {
 public:
  virtual ~WebPushSender() = default;
  // Blocks for the answer. Thread-safe.
  virtual WebPushResult send(const WebPushSubscription& subscription, std::string_view payload) = 0;
};

}  // namespace kefir::push
