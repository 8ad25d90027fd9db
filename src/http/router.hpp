#pragma once
// Routes are path templates: literal segments, "{name}" (one segment) and a last "{name+}" (the rest of the
// path, slashes included). Middleware wraps every request, matched or not, outermost first; an exception
// thrown anywhere becomes an error response at that layer, so outer middleware (logs, metrics) always sees a
// status.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/errors.hpp"
#include "http/json_body.hpp"
#include "http/message.hpp"

namespace kefir::http {

struct RouteOptions {
  bool authenticated = true;            // the auth middleware requires a valid access token
  std::size_t max_body = kMaxJsonBody;  // larger bodies get 413 before they are read
  bool body_to_file = false;            // the server streams the body to a temp file (Request::body_file)
  // The handler blocks on nothing but item-store calls. With a local store the server runs it on the I/O
  // thread, on a fiber that gives the thread back while a write waits for its commit
  // (http/handler_fiber.hpp), instead of on the blocking pool. Any other wait in it (a back-off, a poll) must
  // go through util/suspension.hpp: blocking the I/O thread would hold up the requests it may wait for.
  bool store_only = false;
};

using Handler = std::function<Response(Request&)>;

struct Route {
  std::string method;
  std::string pattern;
  RouteOptions options;
  Handler handler;
  std::vector<std::string> segments;  // pattern split on '/'
  int literal_count = 0;
  bool greedy = false;  // the last segment takes the rest of the path ("{name+}")
};

using Middleware = std::function<Response(Request&, const Route&, const Handler& next)>;

class Router {
 public:
  Router();

  void add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});
  void use(Middleware middleware);

  // The route that will serve this request (the synthetic 404/405 route when none), with path_params and
  // route filled in. The server calls this after reading the head, to learn the body limit.
  const Route& match(Request& request) const;
  // Match, run the middleware chain and the handler; never throws.
  Response handle(Request& request) const;
  // The same for a request match() has already matched to `route`.
  Response handle(Request& request, const Route& route) const;

  // Runs the middleware chain around an error the transport found itself (e.g. 413 before the body is read),
  // so it still gets a request id, a log line, metrics and CORS headers.
  Response handle_error(Request& request, const ApiError& error) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  Response run(std::size_t layer, Request& request, const Route& route) const;

  std::vector<Route> routes_;
  std::vector<Middleware> middleware_;
  Route not_found_route_;
  Route method_not_allowed_route_;
};

// Converts any exception into a response: an ApiError as itself, a domain::Error by its kind, a store that is
// throttled or down as 503 with Retry-After, anything else as a logged 500.
Response response_for_current_exception(const Request& request);

}  // namespace kefir::http
