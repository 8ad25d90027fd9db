#pragma once
// The HTTP/1.1 server (Boost.Beast): keep-alive, I/O threads each with their own connections, fibers on them
// for store-only writes (http/handler_fiber.hpp), a pool for handlers that block (network stores, files),
// body limits known before the body is read, timeouts for slow clients, and graceful shutdown. It only
// translates to and from http::Request/Response; all behaviour lives in the Router.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "http/router.hpp"

namespace kefir::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                        // 0: any free port
  int io_threads = 0;                     // 0: one per core
  int blocking_threads = 64;              // at most, for handlers that may block (started as needed)
  bool offload_reads = false;             // also run GET/HEAD handlers on the blocking pool (network stores)
  std::chrono::seconds read_timeout{30};  // a request must arrive within this; also the keep-alive idle limit
  std::chrono::seconds shutdown_grace{10};  // in-flight requests get this long after SIGTERM
  std::string upload_dir;                   // temp files of streamed uploads (RouteOptions::body_to_file)
};

class Server {
 public:
  Server(const Router& router, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;  // the bound port, valid after construction
  // Serves until SIGTERM/SIGINT or stop(), then finishes in-flight requests (up to shutdown_grace).
  void run();
  void stop();  // thread-safe

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kefir::http
