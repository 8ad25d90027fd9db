#include "adapters/aws/endpoint.hpp"

#include <stdexcept>

#include <boost/url/parse.hpp>

namespace kefir::aws {

Endpoint parse_endpoint(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") || parsed->host().empty())
    throw std::invalid_argument("not an http(s) endpoint URL: " + std::string(url));
  Endpoint out;
  std::string scheme(parsed->scheme());
  std::string host(parsed->encoded_host_and_port());
  out.origin = scheme + "://" + host;
  bool default_port = !parsed->has_port() || (scheme == "http" && parsed->port() == "80") ||
                      (scheme == "https" && parsed->port() == "443");
  out.host = default_port ? std::string(parsed->encoded_host()) : host;
  out.path = parsed->path().empty() ? "/" : std::string(parsed->path());
  if (out.path.size() > 1 && out.path.back() == '/') out.path.pop_back();
  return out;
}

}  // namespace kefir::aws
