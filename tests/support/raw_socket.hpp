#pragma once
// Raw TCP for tests that need to misbehave on the wire (stall, send partial requests) or stand in for a
// peer (scripted endpoints, proxies).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kefir::test {

// A blocking TCP socket connected to 127.0.0.1:port; throws when the connection fails.
int connect_loopback(int port);
// A listening TCP socket on 127.0.0.1:port (0: a free one), SO_REUSEADDR so a port given up can be bound
// again; throws when it cannot listen.
int listen_loopback(int port = 0);
// The port a socket is bound to.
int local_port(int fd);

// One HTTP/1.1 message as read from a socket: the head (start line and headers, without the blank line) and
// the body its Content-Length announces.
struct HttpMessageText {
  std::string head;
  std::string body;
};
// Reads one message from `fd`; nullopt when the peer closes before it is whole.
std::optional<HttpMessageText> read_http_message(int fd);
// Writes all of `data`; false when the peer is gone.
bool write_all(int fd, std::string_view data);

class RawSocket {
 public:
  explicit RawSocket(int port);
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  void send(const std::string& data);
  // Reads until the peer closes or `timeout` passes; `closed` tells which.
  std::string read_until_close(std::chrono::milliseconds timeout, bool* closed = nullptr);

 private:
  int fd_ = -1;
};

}  // namespace kefir::test
