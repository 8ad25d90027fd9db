#include "support/sse_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "support/raw_socket.hpp"

namespace kefir::test {
namespace {

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

SseClient::SseClient(int port, const std::string& path,
                     std::vector<std::pair<std::string, std::string>> headers,
                     std::chrono::milliseconds timeout) {
  fd_ = connect_loopback(port);
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
    throw std::runtime_error("send failed");

  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t head_end;
  while ((head_end = raw_.find("\r\n\r\n")) == std::string::npos)
    if (!read_more(deadline)) throw std::runtime_error("no response head: " + raw_);
  auto head = raw_.substr(0, head_end);
  raw_.erase(0, head_end + 4);
  status_ = std::stoi(head.substr(head.find(' ') + 1, 3));
  for (auto line_start = head.find("\r\n"); line_start != std::string::npos;) {
    auto line_end = head.find("\r\n", line_start + 2);
    auto line = head.substr(line_start + 2,
                            line_end == std::string::npos ? std::string::npos : line_end - line_start - 2);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      auto value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      headers_.emplace_back(lower(line.substr(0, colon)), value);
    }
    line_start = line_end;
  }
  if (status_ != 200) {
    auto length = header("content-length").empty() ? 0 : std::stoul(header("content-length"));
    while (raw_.size() < length && read_more(deadline)) {
    }
    error_body_ = raw_;
    ended_ = true;
  }
}

SseClient::~SseClient() {
  if (fd_ >= 0) ::close(fd_);
}

std::string SseClient::header(const std::string& lower_case_name) const {
  for (const auto& [name, value] : headers_)
    if (name == lower_case_name) return value;
  return {};
}

bool SseClient::read_more(std::chrono::steady_clock::time_point deadline) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  pollfd pfd{fd_, POLLIN, 0};
  if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return false;
  char buffer[16384];
  auto n = ::recv(fd_, buffer, sizeof buffer, 0);
  if (n <= 0) {
    ended_ = true;
    return false;
  }
  raw_.append(buffer, static_cast<std::size_t>(n));
  return true;
}

void SseClient::decode_chunks() {
  for (;;) {
    auto line_end = raw_.find("\r\n");
    if (line_end == std::string::npos) return;
    auto size = std::stoul(raw_.substr(0, line_end), nullptr, 16);
    if (size == 0) {
      ended_ = true;
      raw_.clear();
      return;
    }
    if (raw_.size() < line_end + 2 + size + 2) return;
    text_ += raw_.substr(line_end + 2, size);
    raw_.erase(0, line_end + 2 + size + 2);
  }
}

void SseClient::parse_events() {
  std::size_t end;
  while ((end = text_.find("\n\n")) != std::string::npos) {
    auto block = text_.substr(0, end + 1);
    text_.erase(0, end + 2);
    SseEvent event{{}, "message", {}};
    bool is_event = false;
    for (std::size_t at = 0; at < block.size();) {
      auto line_end = block.find('\n', at);
      auto line = block.substr(at, line_end - at);
      at = line_end + 1;
      if (line.starts_with(':')) {
        comments_.push_back(line);
        continue;
      }
      auto colon = line.find(':');
      auto field = line.substr(0, colon);
      auto value = colon == std::string::npos ? std::string() : line.substr(colon + 1);
      if (value.starts_with(' ')) value.erase(0, 1);
      is_event = true;
      if (field == "id") event.id = value;
      if (field == "event") event.type = value;
      if (field == "data") event.data += (event.data.empty() ? "" : "\n") + value;
    }
    if (is_event) events_.push_back(std::move(event));
  }
}

std::optional<SseEvent> SseClient::next_event(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    decode_chunks();
    parse_events();
    if (!events_.empty()) {
      auto event = std::move(events_.front());
      events_.erase(events_.begin());
      return event;
    }
    if (ended_ || !read_more(deadline)) return std::nullopt;
  }
}

bool SseClient::wait_until_ended(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ended_) {
    decode_chunks();
    if (ended_ || !read_more(deadline)) break;
  }
  decode_chunks();
  parse_events();
  return ended_;
}

}  // namespace kefir::test
