#include "adapters/aws/sigv4.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "util/crypto.hpp"

namespace kefir::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Trims the value and collapses inner runs of spaces, as the canonical header form requires.
std::string canonical_header_value(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string day_of(std::string_view amz_date) {
  return std::string(amz_date.substr(0, 8));
}

// Lower-case name -> canonical value, sorted by name; repeated names join their values with commas in order.
std::map<std::string, std::string> canonical_headers(const SignableRequest& request) {
  std::map<std::string, std::string> headers;
  headers["host"] = canonical_header_value(request.host);
  for (const auto& [name, value] : request.headers) {
    auto& slot = headers[lower(name)];
    if (!slot.empty()) slot.push_back(',');
    slot += canonical_header_value(value);
  }
  return headers;
}

std::string signed_header_list(const std::map<std::string, std::string>& headers) {
  std::string out;
  for (const auto& entry : headers) {
    if (!out.empty()) out.push_back(';');
    out += entry.first;
  }
  return out;
}

}  // namespace

std::string uri_encode(std::string_view text, bool encode_slash) {
  if (encode_slash) return http::percent_encode(text);
  std::string out;
  std::size_t start = 0;
  for (;;) {
    auto slash = text.find('/', start);
    out += http::percent_encode(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) return out;
    out.push_back('/');
    start = slash + 1;
  }
}

std::string canonical_path(std::string_view decoded_path) {
  if (decoded_path.empty()) return "/";
  return uri_encode(decoded_path, false);
}

std::string canonical_query(const QueryParams& params) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const auto& [name, value] : params)
    encoded.emplace_back(uri_encode(name, true), uri_encode(value, true));
  std::ranges::sort(encoded);
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string signing_key(std::string_view secret_access_key, std::string_view date, std::string_view region,
                        std::string_view service) {
  auto key = crypto::hmac_sha256("AWS4" + std::string(secret_access_key), date);
  key = crypto::hmac_sha256(key, region);
  key = crypto::hmac_sha256(key, service);
  return crypto::hmac_sha256(key, "aws4_request");
}

Signer::Signer(Credentials credentials, std::string region, std::string service)
    : credentials_(std::move(credentials)), region_(std::move(region)), service_(std::move(service)) {}

std::string Signer::credential_scope(std::string_view date) const {
  return std::string(date) + "/" + region_ + "/" + service_ + "/aws4_request";
}

namespace {

// One allocation, and no `std::string(literal) + ...` chain: GCC 12 at -O3 misreports those as out of bounds.
std::string concat(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (auto part : parts) size += part.size();
  std::string out;
  out.reserve(size);
  for (auto part : parts) out.append(part);
  return out;
}

}  // namespace

Signature Signer::sign(const SignableRequest& request, TimePoint now) const {
  auto headers = canonical_headers(request);
  Signature out;
  out.signed_headers = signed_header_list(headers);
  std::string header_block;
  for (const auto& [name, value] : headers) header_block += name + ":" + value + "\n";
  out.canonical_request = request.method + "\n" + canonical_path(request.path) + "\n" +
                          canonical_query(request.query) + "\n" + header_block + "\n" + out.signed_headers +
                          "\n" + request.payload_hash;

  auto amz_date = format_compact_utc(now);
  out.credential_scope = credential_scope(day_of(amz_date));
  out.string_to_sign = concat({kAlgorithm, "\n", amz_date, "\n", out.credential_scope, "\n",
                               crypto::sha256_hex(out.canonical_request)});
  auto key = signing_key(credentials_.secret_access_key, day_of(amz_date), region_, service_);
  out.signature = crypto::hex_encode(crypto::hmac_sha256(key, out.string_to_sign));
  return out;
}

http::Headers Signer::sign_headers(const SignableRequest& request, TimePoint now) const {
  SignableRequest signable = request;
  signable.headers.emplace_back("x-amz-date", format_compact_utc(now));
  if (!credentials_.session_token.empty())
    signable.headers.emplace_back("x-amz-security-token", credentials_.session_token);
  auto signature = sign(signable, now);
  signable.headers.emplace_back(
      "authorization",
      concat({kAlgorithm, " Credential=", credentials_.access_key_id, "/", signature.credential_scope,
              ", SignedHeaders=", signature.signed_headers, ", Signature=", signature.signature}));
  return signable.headers;
}

std::string Signer::presign_query(const SignableRequest& request, TimePoint now,
                                  std::chrono::seconds expires_in) const {
  SignableRequest signable = request;
  signable.payload_hash = std::string(kUnsignedPayload);
  auto amz_date = format_compact_utc(now);
  signable.query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  signable.query.emplace_back("X-Amz-Credential",
                              credentials_.access_key_id + "/" + credential_scope(day_of(amz_date)));
  signable.query.emplace_back("X-Amz-Date", amz_date);
  signable.query.emplace_back("X-Amz-Expires", std::to_string(expires_in.count()));
  if (!credentials_.session_token.empty())
    signable.query.emplace_back("X-Amz-Security-Token", credentials_.session_token);
  // The signed-header list is itself a signed query parameter.
  signable.query.emplace_back("X-Amz-SignedHeaders", signed_header_list(canonical_headers(request)));
  auto signature = sign(signable, now);
  return canonical_query(signable.query) + "&X-Amz-Signature=" + signature.signature;
}

}  // namespace kefir::aws
