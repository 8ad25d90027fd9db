#include "http/server.hpp"

#include <array>
#include <atomic>
#include <filesystem>
#include <list>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/growing_thread_pool.hpp"
#include "http/handler_fiber.hpp"
#include "util/crypto.hpp"
#include "util/log.hpp"

namespace kefir::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;
// After refusing a body it has not read, the server keeps reading (and dropping) what the client still sends
// for this long, up to this much: closing with unread bytes makes the kernel reset the connection, and the
// reset destroys the 413 before the client reads it.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = 32 * 1024 * 1024;

Request to_request(const bhttp::request_parser<bhttp::empty_body>& parser, const std::string& client_ip) {
  const auto& head = parser.get();
  Request request;
  request.method = std::string(head.method_string());
  request.target = std::string(head.target());
  auto question = request.target.find('?');
  request.path = percent_decode(std::string_view(request.target).substr(0, question), false);
  if (question != std::string::npos) request.query_string = request.target.substr(question + 1);
  request.headers.reserve(8);
  for (const auto& field : head) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.client_ip = client_ip;
  return request;
}

// The status line and headers of a response whose body has `size` bytes, in one buffer: Beast's serializer
// keeps fields in an allocated list and walks them through nested buffer sequences, a visible share of a
// small request's CPU.
std::string response_head(const Response& response, unsigned version, bool keep_alive, std::size_t size) {
  std::string head;
  head.reserve(256);
  head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(response.status);
  head += ' ';
  head += bhttp::obsolete_reason(static_cast<bhttp::status>(response.status));
  head += "\r\n";
  // Two memchr passes: find_first_of would call memchr over the two-byte set once for every byte.
  auto append_clean = [&head](std::string_view text) {
    auto at = head.size();
    head += text;
    if (text.find('\r') == std::string_view::npos && text.find('\n') == std::string_view::npos) return;
    for (; at < head.size(); ++at)
      if (head[at] == '\r' || head[at] == '\n') head[at] = ' ';  // never split the head
  };
  for (const auto& [name, value] : response.headers) {
    append_clean(name);
    head += ": ";
    append_clean(value);
    head += "\r\n";
  }
  head += "Content-Length: ";
  head += std::to_string(size);
  head += "\r\n";
  if (version == 11 && !keep_alive) head += "Connection: close\r\n";
  if (version == 10 && keep_alive) head += "Connection: keep-alive\r\n";
  head += "\r\n";
  return head;
}

template <typename Body>
void copy_headers(const Response& from, bhttp::response<Body>& to) {
  to.result(static_cast<unsigned>(from.status));
  for (const auto& [name, value] : from.headers) to.insert(name, value);
}

}  // namespace

struct Server::Impl {
  Impl(const Router& router, ServerOptions options)
      : router(router),
        options(std::move(options)),
        contexts(make_contexts(this->options.io_threads > 0
                                   ? this->options.io_threads
                                   : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())))),
        blocking(static_cast<std::size_t>(std::max(1, this->options.blocking_threads))),
        acceptor(*contexts.front()),
        signals(*contexts.front(), SIGINT, SIGTERM) {
    tcp::endpoint endpoint(asio::ip::make_address(this->options.host),
                           static_cast<unsigned short>(this->options.port));
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    bound_port = acceptor.local_endpoint().port();
    if (!this->options.upload_dir.empty()) std::filesystem::create_directories(this->options.upload_dir);
  }

  // One io_context per I/O thread, each connection owned by one of them: its handlers never run on two
  // threads at once (no strands), and a request's reads, handler and write stay on one core's queue instead
  // of waking the other thread through a shared scheduler.
  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(int count) {
    std::vector<std::unique_ptr<asio::io_context>> made;
    for (int i = 0; i < count; ++i) made.push_back(std::make_unique<asio::io_context>(1));
    return made;
  }

  asio::io_context& next_context() { return *contexts[next_context_index++ % contexts.size()]; }

  struct Session {
    explicit Session(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
    std::atomic<bool> busy{false};
    std::shared_ptr<LiveBody>
        live;  // set while the connection carries a live body; only its executor touches it
  };

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(next_context(), asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (!acceptor.is_open()) co_return;
        log::warn("accept failed", {{"error", ec.message()}});
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto session = std::make_shared<Session>(std::move(socket));
      {
        std::lock_guard lock(sessions_mutex);
        sessions.push_back(session);
      }
      auto executor = session->stream.get_executor();
      asio::co_spawn(executor, serve(session), [this, session](std::exception_ptr) {
        std::lock_guard lock(sessions_mutex);
        sessions.remove_if([&](const std::weak_ptr<Session>& weak) {
          auto locked = weak.lock();
          return !locked || locked == session;
        });
      });
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<Session> session) {
    auto& stream = session->stream;
    std::string client_ip;
    {
      beast::error_code ec;
      auto remote = stream.socket().remote_endpoint(ec);
      if (!ec) client_ip = remote.address().to_string();
    }
    beast::flat_buffer buffer;
    bool body_unread = false;
    for (;;) {
      if (stopping) break;
      bhttp::request_parser<bhttp::empty_body> head_parser;
      head_parser.header_limit(kHeaderLimit);
      // Beast's default (1 MiB) would fail the header read itself; each route's own limit answers 413 below.
      head_parser.body_limit(boost::none);
      stream.expires_after(options.read_timeout);
      auto [ec, _] =
          co_await bhttp::async_read_header(stream, buffer, head_parser, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == bhttp::error::header_limit)
          co_await send_simple(
              stream, error_response(ApiError(431, "VALIDATION_ERROR", "request headers too large")), false);
        break;  // timeout, client closed, malformed request: drop the connection
      }
      session->busy = true;
      Request request = to_request(head_parser, client_ip);
      const Route& route = router.match(request);
      bool keep_alive = head_parser.get().keep_alive() && !stopping;

      auto declared = head_parser.content_length();
      if (declared && *declared > route.options.max_body) {
        // The body is not read: answer and close, so the client cannot keep streaming into the socket.
        co_await send_simple(stream, router.handle_error(request, payload_too_large()), false);
        body_unread = true;
        break;
      }
      if (!head_parser.is_done() && beast::iequals(head_parser.get()[bhttp::field::expect], "100-continue")) {
        // curl and some SDKs wait for this (a second by default) before sending a large body.
        bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, 11};
        auto [continue_ec, ___] =
            co_await bhttp::async_write(stream, proceed, asio::as_tuple(asio::use_awaitable));
        if (continue_ec) break;
      }
      bool body_ok = true;
      if (route.options.body_to_file) {
        body_ok = co_await read_body_to_file(stream, buffer, head_parser, request, route, body_unread);
      } else if (!head_parser.is_done()) {
        bhttp::request_parser<bhttp::string_body> body_parser(std::move(head_parser));
        body_parser.body_limit(route.options.max_body);
        auto [body_ec, __] =
            co_await bhttp::async_read(stream, buffer, body_parser, asio::as_tuple(asio::use_awaitable));
        if (body_ec == bhttp::error::body_limit) {
          co_await send_simple(stream, router.handle_error(request, payload_too_large()), false);
          body_unread = true;
          break;
        }
        if (body_ec) break;
        request.body = std::move(body_parser.get().body());
      }
      if (!body_ok) break;
      stream.expires_never();

      Response response;
      bool reads_only = request.method == "GET" || request.method == "HEAD" || request.method == "OPTIONS";
      if (options.offload_reads) {
        response = co_await on_blocking_pool(request, route);
      } else if (reads_only) {
        response = router.handle(request, route);
      } else if (route.options.store_only) {
        response = co_await fibers.run([&] { return router.handle(request, route); });
      } else {
        response = co_await on_blocking_pool(request, route);
      }
      if (!request.body_file.empty()) {
        std::error_code remove_ec;
        std::filesystem::remove(request.body_file, remove_ec);
      }
      if (response.live) {
        co_await write_live(session, request, response, head_parser.get().version());
        break;
      }
      keep_alive = keep_alive && !stopping;
      bool written =
          co_await write_response(stream, request, response, keep_alive, head_parser.get().version());
      session->busy = false;
      if (!written || !keep_alive) break;
    }
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (body_unread) co_await drain(stream);
    stream.socket().close(ec);
  }

  asio::awaitable<Response> on_blocking_pool(Request& request, const Route& route) {
    return blocking.run([&] { return router.handle(request, route); });
  }

  // Reads and drops what the client still sends, until it closes, kLingerBytes or kLingerTime.
  static asio::awaitable<void> drain(beast::tcp_stream& stream) {
    std::array<char, 16 * 1024> scratch;
    std::size_t drained = 0;
    stream.expires_after(kLingerTime);
    while (drained < kLingerBytes) {
      auto [ec, read] =
          co_await stream.async_read_some(asio::buffer(scratch), asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      drained += read;
    }
  }

  asio::awaitable<bool> read_body_to_file(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                          bhttp::request_parser<bhttp::empty_body>& head_parser,
                                          Request& request, const Route& route, bool& body_unread) {
    auto path =
        std::filesystem::path(options.upload_dir) / ("upload-" + crypto::hex_encode(crypto::random_bytes(8)));
    bhttp::request_parser<bhttp::file_body> file_parser(std::move(head_parser));
    file_parser.body_limit(route.options.max_body);
    beast::error_code ec;
    file_parser.get().body().open(path.c_str(), beast::file_mode::write, ec);
    if (ec) {
      log::error("cannot create upload file", {{"path", path.string()}, {"error", ec.message()}});
      co_await send_simple(stream, error_response(internal_error()), false);
      co_return false;
    }
    auto [read_ec, _] =
        co_await bhttp::async_read(stream, buffer, file_parser, asio::as_tuple(asio::use_awaitable));
    file_parser.get().body().close();
    if (read_ec) {
      std::error_code remove_ec;
      std::filesystem::remove(path, remove_ec);
      if (read_ec == bhttp::error::body_limit) {
        co_await send_simple(stream, router.handle_error(request, payload_too_large()), false);
        body_unread = true;
      } else if (read_ec == boost::system::errc::no_space_on_device) {
        log::error("no space for an upload", {{"path", path.string()}});
        co_await send_simple(stream, router.handle_error(request, storage_unavailable()), false);
        body_unread = true;
      }
      co_return false;
    }
    request.body_file = path.string();
    co_return true;
  }

  asio::awaitable<void> send_simple(beast::tcp_stream& stream, Response response, bool keep_alive) {
    Request none;
    co_await write_response(stream, none, response, keep_alive, 11);
  }

  asio::awaitable<bool> write_response(beast::tcp_stream& stream, const Request& request, Response& response,
                                       bool keep_alive, unsigned version) {
    stream.expires_after(options.read_timeout);
    bool head_only = request.method == "HEAD";
    if (!response.stream) {
      const auto body = response.body_view();
      auto head = response_head(response, version, keep_alive, body.size());
      std::array<asio::const_buffer, 2> buffers{asio::buffer(head),
                                                asio::buffer(body.data(), head_only ? 0 : body.size())};
      auto [ec, _] = co_await asio::async_write(stream, buffers, asio::as_tuple(asio::use_awaitable));
      co_return !ec;
    }
    bhttp::response<bhttp::empty_body> head;
    head.version(version);
    copy_headers(response, head);
    head.keep_alive(keep_alive);
    if (head_only) {
      auto [ec, _] = co_await bhttp::async_write(stream, head, asio::as_tuple(asio::use_awaitable));
      co_return !ec;
    }
    head.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> serializer(head);
    {
      auto [ec, _] =
          co_await bhttp::async_write_header(stream, serializer, asio::as_tuple(asio::use_awaitable));
      if (ec) co_return false;
    }
    for (;;) {
      std::optional<std::string> chunk;
      try {
        chunk = response.stream();
      } catch (const std::exception& error) {
        log::error("response stream failed", {{"requestId", request.request_id}, {"error", error.what()}});
        co_return false;  // the connection drops: a truncated chunked body is visible to the client
      }
      if (!chunk) break;
      if (chunk->empty()) continue;
      stream.expires_after(options.read_timeout);
      auto [ec, _] = co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(*chunk)),
                                                asio::as_tuple(asio::use_awaitable));
      if (ec) co_return false;
    }
    auto [ec, _] =
        co_await asio::async_write(stream, bhttp::make_chunk_last(), asio::as_tuple(asio::use_awaitable));
    co_return !ec;
  }

  // A live body: the head, then what its owner pushes as it comes, until it is closed, the client goes away
  // or the server stops. The coroutine sleeps on a timer that a push cancels, so an idle body holds no
  // thread.
  asio::awaitable<void> write_live(std::shared_ptr<Session> session, const Request& request,
                                   const Response& response, unsigned version) {
    auto& stream = session->stream;
    auto live = response.live;
    session->live = live;
    bhttp::response<bhttp::empty_body> head;
    head.version(version);
    copy_headers(response, head);
    head.keep_alive(false);
    if (request.method == "HEAD") {
      live->close();
      co_await bhttp::async_write(stream, head, asio::as_tuple(asio::use_awaitable));
      co_return;
    }
    head.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> serializer(head);
    stream.expires_after(options.read_timeout);
    auto [head_ec, _] =
        co_await bhttp::async_write_header(stream, serializer, asio::as_tuple(asio::use_awaitable));
    if (head_ec) {
      live->close();
      co_return;
    }
    auto executor = stream.get_executor();
    auto wakeup = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
    live->set_wakeup([executor, wakeup] { asio::post(executor, [wakeup] { wakeup->cancel(); }); });
    asio::co_spawn(executor, close_when_client_leaves(session, live), asio::detached);
    for (;;) {
      // Taking and then waiting happen in one turn of this executor, and a push's cancel is posted to it, so
      // a push is never missed between the two.
      bool ended = false;
      auto text = live->take(ended);
      if (ended) {
        stream.expires_after(options.read_timeout);
        co_await asio::async_write(stream, bhttp::make_chunk_last(), asio::as_tuple(asio::use_awaitable));
        break;
      }
      if (text.empty()) {
        co_await wakeup->async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      stream.expires_after(options.read_timeout);
      auto [ec, __] = co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(text)),
                                                 asio::as_tuple(asio::use_awaitable));
      if (ec) break;
    }
    live->close();
    live->set_wakeup(nullptr);
  }

  // A client of a live body sends nothing more: the end of its input (or an error) means it has gone, which
  // ends the body at once rather than at the next failed write.
  static asio::awaitable<void> close_when_client_leaves(std::shared_ptr<Session> session,
                                                        std::shared_ptr<LiveBody> live) {
    std::array<char, 64> scratch;
    for (;;) {
      auto [ec, _] = co_await session->stream.socket().async_read_some(asio::buffer(scratch),
                                                                       asio::as_tuple(asio::use_awaitable));
      if (ec) break;
    }
    live->close();
  }

  void begin_shutdown() {
    if (stopping.exchange(true)) return;
    log::info("shutting down", {{"graceSeconds", static_cast<std::int64_t>(options.shutdown_grace.count())}});
    asio::post(acceptor.get_executor(), [this] {
      beast::error_code ec;
      acceptor.close(ec);
      signals.cancel(ec);
      close_idle_sessions();
      shutdown_deadline = std::chrono::steady_clock::now() + options.shutdown_grace;
      wait_for_sessions();
    });
  }

  void close_idle_sessions() {
    std::lock_guard lock(sessions_mutex);
    for (auto& weak : sessions) {
      if (auto session = weak.lock()) {
        asio::post(session->stream.get_executor(), [session] {
          if (session->live)
            session->live->shut_down();  // live bodies end at once: their clients reconnect elsewhere
          else if (!session->busy)
            session->stream.cancel();
        });
      }
    }
  }

  void wait_for_sessions() {
    bool empty;
    {
      std::lock_guard lock(sessions_mutex);
      sessions.remove_if([](const std::weak_ptr<Session>& weak) { return weak.expired(); });
      empty = sessions.empty();
    }
    if (empty || std::chrono::steady_clock::now() >= shutdown_deadline) {
      for (auto& context : contexts) context->stop();
      return;
    }
    close_idle_sessions();  // a busy session that just finished is idle now
    shutdown_timer =
        std::make_unique<asio::steady_timer>(acceptor.get_executor(), std::chrono::milliseconds(20));
    shutdown_timer->async_wait([this](beast::error_code) { wait_for_sessions(); });
  }

  const Router& router;
  ServerOptions options;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::size_t next_context_index = 0;  // only the accept loop touches it
  GrowingThreadPool blocking;
  FiberRunner fibers;  // after the contexts: destroyed before them (see ~FiberRunner)
  tcp::acceptor acceptor;
  asio::signal_set signals;
  int bound_port = 0;
  std::atomic<bool> stopping{false};
  std::mutex sessions_mutex;
  std::list<std::weak_ptr<Session>> sessions;
  std::chrono::steady_clock::time_point shutdown_deadline;
  std::unique_ptr<asio::steady_timer> shutdown_timer;
};

Server::Server(const Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

Server::~Server() {
  impl_->blocking.join();
}

int Server::port() const {
  return impl_->bound_port;
}

void Server::stop() {
  impl_->begin_shutdown();
}

void Server::run() {
  auto& impl = *impl_;
  impl.signals.async_wait([&impl](beast::error_code ec, int) {
    if (!ec) impl.begin_shutdown();
  });
  asio::co_spawn(impl.acceptor.get_executor(), impl.accept_loop(), asio::detached);
  // A context without connections has no work; the guards keep its thread waiting for the next one.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& context : impl.contexts) guards.push_back(asio::make_work_guard(*context));
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < impl.contexts.size(); ++i)
    threads.emplace_back([context = impl.contexts[i].get()] { context->run(); });
  impl.contexts.front()->run();
  for (auto& thread : threads) thread.join();
  impl.blocking.join();
}

}  // namespace kefir::http
