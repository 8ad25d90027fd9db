#include "adapters/expo/expo_push_sender.hpp"

#include <algorithm>
#include <stdexcept>

namespace kefir::push {
namespace {

// The bucket holds at most one second of EXPO_RATE, so no burst exceeds the rate, and a request carries at
// most what a full bucket holds (and Expo's 100).
std::size_t messages_per_request(double rate) {
  if (rate <= 0) return kExpoMaxMessages;
  return std::clamp(static_cast<std::size_t>(rate), std::size_t{1}, kExpoMaxMessages);
}

std::string error_code_of(const json::object& entry) {
  if (const auto* details = entry.if_contains("details"); details && details->is_object()) {
    if (auto code = json_string(details->get_object(), "error"); !code.empty()) return code;
  }
  return "UnknownError";
}

// The first request-level error code Expo reported ({"errors":[{"code":...}]}), if any.
std::string request_error_code(const std::string& body) {
  boost::system::error_code ec;
  auto parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return {};
  const auto* errors = parsed.get_object().if_contains("errors");
  if (!errors || !errors->is_array() || errors->get_array().empty() || !errors->get_array()[0].is_object())
    return {};
  return json_string(errors->get_array()[0].get_object(), "code");
}

}  // namespace

std::string expo_receipts_url(const std::string& push_url) {
  // ".../push/send" becomes ".../push/getReceipts": the last path segment names the operation.
  auto path_start =
      push_url.find('/', push_url.find("//") == std::string::npos ? 0 : push_url.find("//") + 2);
  auto last = push_url.rfind('/');
  if (path_start == std::string::npos || last < path_start) return push_url + "/getReceipts";
  return push_url.substr(0, last) + "/getReceipts";
}

std::string expo_send_body(const std::vector<Message>& messages) {
  json::array body;
  body.reserve(messages.size());
  for (const auto& m : messages) {
    body.push_back({{"to", m.to},
                    {"title", m.title},
                    {"body", m.body},
                    {"data", m.data},
                    {"sound", "default"},
                    {"priority", "high"}});
  }
  return json::serialize(body);
}

ExpoPushSender::ExpoPushSender(ExpoOptions options)
    : options_(std::move(options)),
      receipts_url_(expo_receipts_url(options_.push_url)),
      client_(
          net::HttpClientOptions{.timeout = options_.timeout,
                                 .max_idle_handles = static_cast<std::size_t>(kExpoMaxConcurrentRequests)}),
      messages_per_request_(messages_per_request(options_.rate)),
      rate_(options_.rate, static_cast<double>(messages_per_request_)) {}

http::Headers ExpoPushSender::headers() const {
  http::Headers headers = {{"content-type", "application/json"}, {"accept", "application/json"}};
  if (!options_.access_token.empty())
    headers.emplace_back("authorization", "Bearer " + options_.access_token);
  return headers;
}

net::HttpResponse ExpoPushSender::post(const std::string& url, const std::string& body) {
  in_flight_.acquire();
  struct Release {
    std::counting_semaphore<kExpoMaxConcurrentRequests>& semaphore;
    ~Release() { semaphore.release(); }
  } release{in_flight_};
  return client_.send("POST", url, headers(), body);
}

SendResult ExpoPushSender::send(const std::vector<Message>& messages) {
  if (messages.empty()) return {};
  if (messages.size() > messages_per_request_)
    throw std::invalid_argument("more messages than one Expo request may carry at this rate");
  rate_.take(static_cast<double>(messages.size()));

  net::HttpResponse response;
  try {
    response = post(options_.push_url, expo_send_body(messages));
  } catch (const net::NetworkError& error) {
    return {SendResult::Outcome::retryable, {}, std::string("network: ") + error.what()};
  }
  if (response.status == 429 || response.status >= 500) {
    return {SendResult::Outcome::retryable, {}, "http_" + std::to_string(response.status)};
  }
  if (response.status != 200) {
    auto code = request_error_code(response.body);
    return {
        SendResult::Outcome::rejected, {}, code.empty() ? "http_" + std::to_string(response.status) : code};
  }

  boost::system::error_code ec;
  auto parsed = json::parse(response.body, ec);
  const json::value* data = (!ec && parsed.is_object()) ? parsed.get_object().if_contains("data") : nullptr;
  if (!data || !data->is_array() || data->get_array().size() != messages.size()) {
    return {SendResult::Outcome::retryable, {}, "bad_response"};
  }
  SendResult result;
  result.tickets.reserve(messages.size());
  for (const auto& entry : data->get_array()) {
    Ticket ticket;
    if (entry.is_object()) {
      const auto& object = entry.get_object();
      ticket.ok = json_string(object, "status") == "ok";
      ticket.id = json_string(object, "id");
      if (!ticket.ok) {
        ticket.error = error_code_of(object);
        ticket.message = json_string(object, "message");
      }
    } else {
      ticket.error = "UnknownError";
    }
    result.tickets.push_back(std::move(ticket));
  }
  return result;
}

std::map<std::string, Receipt> ExpoPushSender::receipts(const std::vector<std::string>& ticket_ids) {
  if (ticket_ids.size() > kExpoMaxReceiptIds)
    throw std::invalid_argument("at most 1000 ids per receipts call");
  json::array ids;
  for (const auto& id : ticket_ids) ids.push_back(json::value(id));
  net::HttpResponse response;
  try {
    response = post(receipts_url_, json::serialize(json::object{{"ids", std::move(ids)}}));
  } catch (const net::NetworkError& error) {
    throw std::runtime_error(std::string("Expo receipts: ") + error.what());
  }
  if (response.status != 200) {
    throw std::runtime_error("Expo receipts: HTTP " + std::to_string(response.status));
  }
  boost::system::error_code ec;
  auto parsed = json::parse(response.body, ec);
  const json::value* data = (!ec && parsed.is_object()) ? parsed.get_object().if_contains("data") : nullptr;
  if (!data || !data->is_object()) throw std::runtime_error("Expo receipts: unusable answer");
  std::map<std::string, Receipt> out;
  for (const auto& [id, entry] : data->get_object()) {
    if (!entry.is_object()) continue;
    const auto& object = entry.get_object();
    Receipt receipt;
    receipt.ok = json_string(object, "status") == "ok";
    if (!receipt.ok) {
      receipt.error = error_code_of(object);
      receipt.message = json_string(object, "message");
    }
    out.emplace(std::string(id), std::move(receipt));
  }
  return out;
}

}  // namespace kefir::push
