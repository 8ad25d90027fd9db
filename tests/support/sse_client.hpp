#pragma once
// A Server-Sent Events client for tests: opens GET <path> on a raw socket, decodes the chunked body and hands
// out events as they arrive, so a test can tell what came and when.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kefir::test {

struct SseEvent {
  std::string id;
  std::string type;  // the `event:` field; "message" when absent
  std::string data;
};

class SseClient {
 public:
  SseClient(int port, const std::string& path, std::vector<std::pair<std::string, std::string>> headers,
            std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  int status() const { return status_; }
  std::string header(const std::string& lower_case_name) const;
  const std::string& error_body() const { return error_body_; }  // the body of an answer other than 200

  // The next event, waiting up to `timeout`; nullopt when none came or the stream ended.
  std::optional<SseEvent> next_event(std::chrono::milliseconds timeout);
  // Every comment line received so far (heartbeats), in order.
  const std::vector<std::string>& comments() const { return comments_; }
  // Reads (keeping events for next_event) until the server ends the stream or `timeout` passes.
  bool wait_until_ended(std::chrono::milliseconds timeout);
  bool ended() const { return ended_; }

 private:
  bool read_more(std::chrono::steady_clock::time_point deadline);  // false on timeout or end
  void decode_chunks();
  void parse_events();

  int fd_ = -1;
  int status_ = 0;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string error_body_;
  std::string raw_;   // received, not yet de-chunked
  std::string text_;  // de-chunked, not yet parsed into events
  std::vector<SseEvent> events_;
  std::vector<std::string> comments_;
  bool ended_ = false;
};

}  // namespace kefir::test
