#include "http/router.hpp"

#include <algorithm>

#include "ports/blob_store.hpp"
#include "ports/item_store.hpp"
#include "util/log.hpp"

namespace kefir::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    segments.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}
bool is_greedy(std::string_view segment) {
  return is_param(segment) && segment[segment.size() - 2] == '+';
}

// Matches `path` against a route's segments without allocating unless it matches.
bool matches(const Route& route, std::string_view path,
             std::vector<std::pair<std::string, std::string>>* params) {
  if (path.empty() || path.front() != '/') return false;
  std::size_t pos = 1;
  const auto& segments = route.segments;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& segment = segments[i];
    if (pos > path.size()) return false;
    if (is_greedy(segment)) {
      auto rest = path.substr(pos);
      if (rest.empty()) return false;
      if (params) params->emplace_back(segment.substr(1, segment.size() - 3), std::string(rest));
      return true;
    }
    auto slash = path.find('/', pos);
    bool last = i + 1 == segments.size();
    if (last && slash != std::string_view::npos) return false;
    if (!last && slash == std::string_view::npos) return false;
    auto part = path.substr(pos, (slash == std::string_view::npos ? path.size() : slash) - pos);
    if (is_param(segment)) {
      if (part.empty()) return false;
      if (params) params->emplace_back(segment.substr(1, segment.size() - 2), std::string(part));
    } else if (part != segment) {
      return false;
    }
    pos = slash == std::string_view::npos ? path.size() + 1 : slash + 1;
  }
  return pos > path.size();
}

}  // namespace

Router::Router() {
  not_found_route_.method = "*";
  not_found_route_.pattern = "unmatched";
  not_found_route_.options.authenticated = false;
  not_found_route_.handler = [](Request&) -> Response { throw domain::not_found("no such route"); };
  method_not_allowed_route_ = not_found_route_;
  method_not_allowed_route_.handler = [](Request&) -> Response { throw method_not_allowed(); };
}

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  Route route{std::move(method), std::move(pattern), options, std::move(handler), {}, 0};
  route.segments = split_path(route.pattern);
  route.greedy =
      std::any_of(route.segments.begin(), route.segments.end(), [](auto& s) { return is_greedy(s); });
  route.literal_count = static_cast<int>(
      std::count_if(route.segments.begin(), route.segments.end(), [](auto& s) { return !is_param(s); }));
  routes_.push_back(std::move(route));
  // More literal segments first, so "/me/reminders" wins over "/me/{anything}".
  std::stable_sort(routes_.begin(), routes_.end(),
                   [](const Route& a, const Route& b) { return a.literal_count > b.literal_count; });
}

void Router::use(Middleware middleware) {
  middleware_.push_back(std::move(middleware));
}

const Route& Router::match(Request& request) const {
  request.path_params.clear();
  bool path_known = false;
  std::string_view method =
      request.method == "HEAD" ? std::string_view("GET") : std::string_view(request.method);
  // A path of n segments has n slashes: only routes of as many segments (or a greedy one of no more) can
  // match it, which spares the segment-by-segment comparison with most of them.
  const auto depth = static_cast<std::size_t>(std::count(request.path.begin(), request.path.end(), '/'));
  for (const auto& route : routes_) {
    if (route.greedy ? depth < route.segments.size() : depth != route.segments.size()) continue;
    if (!matches(route, request.path, nullptr)) continue;
    if (route.method != method) {
      path_known = true;
      continue;
    }
    matches(route, request.path, &request.path_params);
    request.route = route.pattern;
    return route;
  }
  request.route = "unmatched";
  return path_known ? method_not_allowed_route_ : not_found_route_;
}

Response Router::handle(Request& request) const {
  const Route* route = nullptr;
  try {
    route = &match(request);
  } catch (...) {
    return response_for_current_exception(request);
  }
  return run(0, request, *route);
}

Response Router::handle(Request& request, const Route& route) const {
  return run(0, request, route);
}

Response Router::handle_error(Request& request, const ApiError& error) const {
  Route failing = not_found_route_;
  failing.pattern = request.route.empty() ? "unmatched" : request.route;
  failing.handler = [&error](Request&) -> Response { throw error; };
  return run(0, request, failing);
}

Response Router::run(std::size_t layer, Request& request, const Route& route) const {
  try {
    if (layer == middleware_.size()) return route.handler(request);
    // Two words of capture: std::function keeps them inline instead of allocating once per layer.
    struct Chain {
      const Router* router;
      const Route* route;
    } chain{this, &route};
    Handler next = [&chain, layer](Request& inner) {
      return chain.router->run(layer + 1, inner, *chain.route);
    };
    return middleware_[layer](request, route, next);
  } catch (...) {
    return response_for_current_exception(request);
  }
}

Response response_for_current_exception(const Request& request) {
  try {
    throw;
  } catch (const ApiError& error) {
    return error_response(error);
  } catch (const domain::Error& error) {
    return error_response(from_domain(error));
  } catch (const store::StoreThrottled& error) {
    log::warn("storage throttled",
              {{"requestId", request.request_id}, {"route", request.route}, {"error", error.what()}});
    return error_response(storage_busy());
  } catch (const store::StoreUnavailable& error) {
    log::error("storage unavailable",
               {{"requestId", request.request_id}, {"route", request.route}, {"error", error.what()}});
    return error_response(storage_unavailable());
  } catch (const blob::BlobUnavailable& error) {
    log::error("blob storage unavailable",
               {{"requestId", request.request_id}, {"route", request.route}, {"error", error.what()}});
    return error_response(storage_unavailable());
  } catch (const std::exception& error) {
    log::error("unhandled exception",
               {{"requestId", request.request_id}, {"route", request.route}, {"error", error.what()}});
  } catch (...) {
    log::error("unhandled exception", {{"requestId", request.request_id}, {"route", request.route}});
  }
  return error_response(internal_error());
}

}  // namespace kefir::http
