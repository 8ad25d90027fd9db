#include "adapters/webpush/vapid_web_push_sender.hpp"

#include <stdexcept>

#include "util/crypto.hpp"

namespace kefir::push {

WebPushRequest web_push_request(const VapidKey& vapid, const WebPushSubscription& subscription,
                                std::string_view payload, TimePoint now) {
  const auto origin = webpush::endpoint_origin(subscription.endpoint);
  if (origin.empty()) throw std::invalid_argument("the endpoint is not an http(s) URL");
  const auto jwt =
      webpush::vapid_jwt(vapid.key, origin, epoch_seconds(now + kVapidJwtLifetime), vapid.subject);
  return {{{"content-encoding", "aes128gcm"},
           {"content-type", "application/octet-stream"},
           {"ttl", std::to_string(kWebPushTtl.count())},
           {"urgency", "high"},
           {"authorization", "vapid t=" + jwt + ", k=" + vapid.public_key}},
          webpush::encrypt(payload, subscription.p256dh, subscription.auth)};
}

VapidWebPushSender::VapidWebPushSender(std::shared_ptr<const VapidKey> vapid, const Clock& clock,
                                       std::chrono::milliseconds timeout)
    : vapid_(std::move(vapid)), clock_(clock), client_(net::HttpClientOptions{.timeout = timeout}) {}

WebPushResult VapidWebPushSender::send(const WebPushSubscription& subscription, std::string_view payload) {
  WebPushRequest request;
  try {
    request = web_push_request(*vapid_, subscription, payload, clock_.now());
  } catch (const std::invalid_argument& error) {
    return {WebPushResult::Outcome::rejected, std::string("unusable_subscription: ") + error.what()};
  }
  net::HttpResponse response;
  try {
    response = client_.send("POST", subscription.endpoint, request.headers, request.body);
  } catch (const net::NetworkError& error) {
    return {WebPushResult::Outcome::retryable, std::string("network: ") + error.what()};
  }
  const auto status = "http_" + std::to_string(response.status);
  if (response.status >= 200 && response.status < 300) return {};
  if (response.status == 404 || response.status == 410) return {WebPushResult::Outcome::gone, status};
  if (response.status == 429 || response.status >= 500) return {WebPushResult::Outcome::retryable, status};
  return {WebPushResult::Outcome::rejected, status};
}

}  // namespace kefir::push
