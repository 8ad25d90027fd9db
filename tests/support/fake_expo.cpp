#include "support/fake_expo.hpp"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace kefir::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

constexpr std::string_view kSendPath = "/--/api/v2/push/send";
constexpr std::string_view kReceiptsPath = "/--/api/v2/push/getReceipts";

std::string error_body(const char* code, const char* message) {
  return json::serialize(
      json::object{{"errors", json::array{json::object{{"code", code}, {"message", message}}}}});
}

}  // namespace

std::string ExpoMessage::data(const char* field) const {
  const auto* data = message.if_contains("data");
  if (!data || !data->is_object()) return {};
  const auto* value = data->get_object().if_contains(field);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

// Blocking Beast server: one thread accepts, one thread per keep-alive connection.
struct FakeExpo::Server {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread accept_thread;
  std::mutex mutex;
  std::vector<std::shared_ptr<tcp::socket>> sockets;
  std::vector<std::thread> connections;
  int port = 0;
};

FakeExpo::FakeExpo() : server_(std::make_unique<Server>()) {
  auto& server = *server_;
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  server.acceptor.open(endpoint.protocol());
  server.acceptor.set_option(asio::socket_base::reuse_address(true));
  server.acceptor.bind(endpoint);
  server.acceptor.listen(asio::socket_base::max_listen_connections);
  server.port = server.acceptor.local_endpoint().port();
  server.accept_thread = std::thread([this, &server] {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(server.io);
      beast::error_code ec;
      server.acceptor.accept(*socket, ec);
      if (ec) return;  // closed
      std::lock_guard lock(server.mutex);
      server.sockets.push_back(socket);
      server.connections.emplace_back([this, socket] {
        beast::flat_buffer buffer;
        for (;;) {
          bhttp::request_parser<bhttp::string_body> parser;
          parser.body_limit(16 * 1024 * 1024);
          beast::error_code error;
          bhttp::read(*socket, buffer, parser, error);
          if (error) break;
          auto& request = parser.get();
          bhttp::response<bhttp::string_body> response;
          response.version(11);
          response.set(bhttp::field::content_type, "application/json");
          int status = 200;
          if (request.method() == bhttp::verb::post && request.target() == kSendPath) {
            auto peer_gone = [&] {
              char byte;
              return ::recv(socket->native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
            };
            response.body() = handle_send(request.body(), std::string(request[bhttp::field::authorization]),
                                          peer_gone, status);
          } else if (request.method() == bhttp::verb::post && request.target() == kReceiptsPath) {
            response.body() = handle_receipts(request.body());
          } else {
            status = 404;
            response.body() = error_body("NOT_FOUND", "no such endpoint");
          }
          response.result(static_cast<unsigned>(status));
          response.keep_alive(request.keep_alive());
          response.prepare_payload();
          bhttp::write(*socket, response, error);
          if (error || !request.keep_alive()) break;
        }
        beast::error_code ignored;
        socket->shutdown(tcp::socket::shutdown_both, ignored);
      });
    }
  });
}

FakeExpo::~FakeExpo() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  auto& server = *server_;
  beast::error_code ignored;
  // Closing alone does not wake a thread blocked in accept(); shutting the socket down does.
  ::shutdown(server.acceptor.native_handle(), SHUT_RDWR);
  server.acceptor.close(ignored);
  server.accept_thread.join();
  std::lock_guard lock(server.mutex);
  for (auto& socket : server.sockets) socket->shutdown(tcp::socket::shutdown_both, ignored);
  for (auto& connection : server.connections) connection.join();
}

std::string FakeExpo::push_url() const {
  return "http://127.0.0.1:" + std::to_string(server_->port) + std::string(kSendPath);
}

void FakeExpo::fail_next_sends(int count, int http_status) {
  std::lock_guard lock(mutex_);
  failures_left_ = count;
  failure_status_ = http_status;
}

void FakeExpo::set_ticket_error(const std::string& token, const std::string& code) {
  std::lock_guard lock(mutex_);
  ticket_errors_[token] = code;
}

void FakeExpo::set_receipt_error(const std::string& token, const std::string& code) {
  std::lock_guard lock(mutex_);
  receipt_errors_[token] = code;
}

void FakeExpo::hold_sends(bool hold) {
  {
    std::lock_guard lock(mutex_);
    hold_ = hold;
  }
  changed_.notify_all();
}

std::string FakeExpo::handle_send(const std::string& body, const std::string& authorization,
                                  const std::function<bool()>& peer_gone, int& status) {
  boost::system::error_code ec;
  auto parsed = json::parse(body, ec);
  if (ec || !parsed.is_array()) {
    status = 400;
    return error_body("VALIDATION_ERROR", "\"value\" must be an array");
  }
  const auto& list = parsed.get_array();
  std::unique_lock lock(mutex_);
  ++send_requests_;
  const std::size_t first = messages_.size();
  for (const auto& entry : list) {
    ExpoMessage message;
    if (entry.is_object()) message.message = entry.get_object();
    message.authorization = authorization;
    message.received_at = std::chrono::system_clock::now();
    message.request_size = list.size();
    messages_.push_back(std::move(message));
  }
  changed_.notify_all();
  changed_.wait(lock, [&] { return !hold_ || stopping_; });
  if (peer_gone()) {
    status = 499;
    return error_body("CLIENT_GONE", "the client closed the connection");
  }
  if (failures_left_ > 0) {
    --failures_left_;
    status = failure_status_;
    return status == 429 ? error_body("TOO_MANY_REQUESTS", "rate limit exceeded")
                         : error_body("INTERNAL_SERVER_ERROR", "try again later");
  }
  json::array tickets;
  for (std::size_t i = first; i < first + list.size(); ++i) {
    auto& message = messages_[i];
    std::string token = message.message.contains("to") && message.message.at("to").is_string()
                            ? std::string(message.message.at("to").get_string())
                            : std::string();
    if (auto error = ticket_errors_.find(token); error != ticket_errors_.end()) {
      tickets.push_back(
          json::object{{"status", "error"},
                       {"message", "\"" + token + "\" is not a registered push notification recipient"},
                       {"details", json::object{{"error", error->second}}}});
      continue;
    }
    message.accepted = true;
    ++accepted_count_;
    message.ticket_id = "ticket-" + std::to_string(i);
    token_of_ticket_[message.ticket_id] = token;
    tickets.push_back(json::object{{"status", "ok"}, {"id", message.ticket_id}});
  }
  changed_.notify_all();
  return json::serialize(json::object{{"data", std::move(tickets)}});
}

std::string FakeExpo::handle_receipts(const std::string& body) {
  boost::system::error_code ec;
  auto parsed = json::parse(body, ec);
  json::object data;
  std::lock_guard lock(mutex_);
  ++receipt_requests_;
  if (!ec && parsed.is_object() && parsed.get_object().contains("ids") && parsed.at("ids").is_array()) {
    for (const auto& id_value : parsed.at("ids").get_array()) {
      if (!id_value.is_string()) continue;
      std::string id(id_value.get_string());
      receipt_ids_.push_back(id);
      auto ticket = token_of_ticket_.find(id);
      if (ticket == token_of_ticket_.end()) continue;
      if (auto error = receipt_errors_.find(ticket->second); error != receipt_errors_.end()) {
        data[id] = json::object{{"status", "error"},
                                {"message", "receipt error"},
                                {"details", json::object{{"error", error->second}}}};
      } else {
        data[id] = json::object{{"status", "ok"}};
      }
    }
  }
  changed_.notify_all();
  return json::serialize(json::object{{"data", std::move(data)}});
}

std::vector<ExpoMessage> FakeExpo::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

std::vector<ExpoMessage> FakeExpo::accepted() const {
  std::lock_guard lock(mutex_);
  std::vector<ExpoMessage> out;
  for (const auto& m : messages_)
    if (m.accepted) out.push_back(m);
  return out;
}

std::map<std::string, int> FakeExpo::accepted_by_reminder() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, int> out;
  for (const auto& m : messages_)
    if (m.accepted) ++out[m.data("reminderId")];
  return out;
}

std::size_t FakeExpo::send_requests() const {
  std::lock_guard lock(mutex_);
  return send_requests_;
}

std::size_t FakeExpo::receipt_requests() const {
  std::lock_guard lock(mutex_);
  return receipt_requests_;
}

std::vector<std::string> FakeExpo::receipt_ids_requested() const {
  std::lock_guard lock(mutex_);
  return receipt_ids_;
}

bool FakeExpo::wait_for_accepted(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return accepted_count_ >= count; });
}

bool FakeExpo::wait_for_received(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return messages_.size() >= count; });
}

bool FakeExpo::wait_for_receipt_requests(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return receipt_requests_ >= count; });
}

}  // namespace kefir::test
