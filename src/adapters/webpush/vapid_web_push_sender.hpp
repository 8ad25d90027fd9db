#pragma once
// Web Push over HTTP (RFC 8030 §5): each message encrypted for its subscription (RFC 8291), POSTed to the
// endpoint with a VAPID authorization (RFC 8292) whose JWT names the endpoint's origin and expires in 12 h.
#include <chrono>
#include <memory>

#include "adapters/aws/http_client.hpp"
#include "adapters/webpush/vapid_key.hpp"
#include "ports/clock.hpp"
#include "ports/web_push_sender.hpp"

namespace kefir::push {

inline constexpr std::chrono::seconds kWebPushTtl{86400};   // a reminder a day late is still worth showing
inline constexpr std::chrono::hours kVapidJwtLifetime{12};  // RFC 8292 allows at most 24 h

// The request a message becomes: the headers and the encrypted body.
struct WebPushRequest {
  http::Headers headers;
  std::string body;
};
WebPushRequest web_push_request(const VapidKey& vapid, const WebPushSubscription& subscription,
                                std::string_view payload, TimePoint now);

class VapidWebPushSender final : public WebPushSender {
 public:
  VapidWebPushSender(std::shared_ptr<const VapidKey> vapid, const Clock& clock,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

  WebPushResult send(const WebPushSubscription& subscription, std::string_view payload) override;

 private:
  std::shared_ptr<const VapidKey> vapid_;
  const Clock& clock_;
  net::HttpClient client_;
};

}  // namespace kefir::push
