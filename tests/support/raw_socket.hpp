#pragma once
// A raw TCP client for tests that need to misbehave on the wire (stall, send partial requests).
#include <chrono>
#include <string>

namespace kefir::test {

// A blocking TCP socket connected to 127.0.0.1:port; throws when the connection fails.
int connect_loopback(int port);

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
