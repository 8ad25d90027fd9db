#include "support/auth_helpers.hpp"

#include <curl/curl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/http_client.hpp"
#include "support/test_env.hpp"
#include "util/crypto.hpp"

namespace kefir::test {
namespace {

constexpr std::string_view kMailSeparator = "----- mail\n";

// The first run of exactly six digits.
std::string first_code(std::string_view text) {
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  for (std::size_t i = 0; i < text.size();) {
    if (!is_digit(text[i])) {
      ++i;
      continue;
    }
    auto start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i - start == 6) return std::string(text.substr(start, 6));
  }
  return {};
}

OutboxMail parse_mail(std::string_view block) {
  OutboxMail mail;
  auto header_end = block.find("\n\n");
  auto headers = block.substr(0, header_end);
  mail.body = header_end == std::string_view::npos ? "" : std::string(block.substr(header_end + 2));
  std::istringstream lines{std::string(headers)};
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("To: ", 0) == 0) mail.to = line.substr(4);
    if (line.rfind("Subject: ", 0) == 0) mail.subject = line.substr(9);
  }
  mail.code = first_code(mail.body);
  return mail;
}

std::vector<OutboxMail> mails_for(const std::string& data_dir, const std::string& email) {
  auto mails = read_outbox(data_dir);
  std::erase_if(mails, [&](const OutboxMail& mail) { return mail.to != email; });
  return mails;
}

HttpResponse post_json(const ServerProcess& server, const std::string& path, const boost::json::object& body,
                       const std::string& source_ip) {
  if (source_ip.empty()) return ApiClient(server.base_url()).post(path, body);
  return post_from(source_ip, server.base_url() + path, body);
}

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

}  // namespace

std::vector<OutboxMail> read_outbox(const std::string& data_dir) {
  std::ifstream in(std::filesystem::path(data_dir) / "outbox.log", std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  std::vector<OutboxMail> mails;
  for (auto at = text.find(kMailSeparator); at != std::string::npos;) {
    auto start = at + kMailSeparator.size();
    auto next = text.find(kMailSeparator, start);
    mails.push_back(
        parse_mail(std::string_view(text).substr(start, next == std::string::npos ? next : next - start)));
    at = next;
  }
  return mails;
}

std::size_t count_mails(const std::string& data_dir, const std::string& email) {
  return mails_for(data_dir, email).size();
}

std::string wait_for_new_code(const std::string& data_dir, const std::string& email, std::size_t known,
                              std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto mails = mails_for(data_dir, email);
    if (mails.size() > known) return mails.back().code;
    if (std::chrono::steady_clock::now() >= deadline) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

HttpResponse post_from(const std::string& source_ip, const std::string& url, const boost::json::value& body) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"), curl_slist_free_all);
  std::string payload = boost::json::serialize(body);
  std::string interface = "host!" + source_ip;
  std::string head;
  HttpResponse response;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_INTERFACE, interface.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, payload.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &head);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  if (auto code = curl_easy_perform(curl.get()); code != CURLE_OK)
    throw std::runtime_error("POST " + url + " from " + source_ip + ": " + curl_easy_strerror(code));
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &response.status);
  std::istringstream lines(head);
  for (std::string line; std::getline(lines, line);) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of(" \r") + 1);
    response.headers[name] = value;
  }
  return response;
}

SignedIn sign_in(const ServerProcess& server, const std::string& email, const std::string& source_ip) {
  // A login inside the resend cooldown is accepted but sends nothing, so keep asking until a new mail
  // arrives.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(45);
  std::string code;
  while (code.empty()) {
    auto known = count_mails(server.data_dir(), email);
    auto login = post_json(server, "/auth/login", {{"email", email}}, source_ip);
    if (login.status != 202)
      throw std::runtime_error("POST /auth/login: " + std::to_string(login.status) + " " + login.body);
    code = wait_for_new_code(server.data_dir(), email, known, std::chrono::seconds(3));
    if (code.empty() && std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error("no sign-in code for " + email + " in " + server.data_dir() + "/outbox.log");
  }
  auto verify = post_json(server, "/auth/verify", {{"email", email}, {"code", code}}, source_ip);
  if (verify.status != 200)
    throw std::runtime_error("POST /auth/verify: " + std::to_string(verify.status) + " " + verify.body);
  auto body = verify.json().as_object();
  return {std::string(body.at("accessToken").as_string()), std::string(body.at("idToken").as_string()),
          std::string(body.at("refreshToken").as_string()),
          std::string(body.at("user").as_object().at("userId").as_string())};
}

std::string unique_email(const std::string& prefix) {
  return prefix + "-" + unique_suffix() + "@example.com";
}

}  // namespace kefir::test

// Hand-made JWTs.
namespace kefir::test {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

PkeyPtr read_private_key(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key) throw std::runtime_error("test: cannot read private key PEM");
  return key;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string digest_sign(EVP_PKEY* key, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t length = 0;
  if (EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1)
    throw std::runtime_error("test: signing failed");
  std::string signature(length, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    throw std::runtime_error("test: signing failed");
  signature.resize(length);
  return signature;
}

// JOSE wants ECDSA signatures as the raw 32-byte r and s, not DER.
std::string der_to_jose(const std::string& der) {
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
      d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())), ECDSA_SIG_free);
  if (!sig) throw std::runtime_error("test: bad ECDSA signature");
  std::string out(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
  return out;
}

boost::json::object decode_part(std::string_view token, std::size_t index) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < index; ++i) start = token.find('.', start) + 1;
  auto end = token.find('.', start);
  std::string text;
  if (!crypto::base64url_decode(token.substr(start, end - start), text))
    throw std::runtime_error("test: bad JWT");
  return boost::json::parse(text).as_object();
}

}  // namespace

std::string forge_jwt(const boost::json::object& header, const boost::json::object& claims, JwtAlg alg,
                      std::string_view key) {
  std::string input = crypto::base64url_encode(boost::json::serialize(header)) + "." +
                      crypto::base64url_encode(boost::json::serialize(claims));
  std::string signature;
  switch (alg) {
    case JwtAlg::none:
      break;
    case JwtAlg::hs256:
      signature = crypto::hmac_sha256(key, input);
      break;
    case JwtAlg::rs256:
      signature = digest_sign(read_private_key(key).get(), input);
      break;
    case JwtAlg::es256:
      signature = der_to_jose(digest_sign(read_private_key(key).get(), input));
      break;
  }
  return input + "." + crypto::base64url_encode(signature);
}

std::string generate_rsa_pem(int bits) {
  PkeyPtr key(EVP_RSA_gen(static_cast<unsigned>(bits)), EVP_PKEY_free);
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return bio_text(bio.get());
}

std::string generate_p256_pem() {
  PkeyPtr key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return bio_text(bio.get());
}

std::string to_pkcs1_pem(std::string_view rsa_private_pem) {
  auto key = read_private_key(rsa_private_pem);
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  std::unique_ptr<OSSL_ENCODER_CTX, decltype(&OSSL_ENCODER_CTX_free)> encoder(
      OSSL_ENCODER_CTX_new_for_pkey(key.get(), EVP_PKEY_KEYPAIR, "PEM", "type-specific", nullptr),
      OSSL_ENCODER_CTX_free);
  if (!encoder || OSSL_ENCODER_to_bio(encoder.get(), bio.get()) != 1)
    throw std::runtime_error("test: cannot encode PKCS#1");
  return bio_text(bio.get());
}

std::string public_key_pem(std::string_view private_pem) {
  auto key = read_private_key(private_pem);
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key.get());
  return bio_text(bio.get());
}

boost::json::object jwt_claims(std::string_view token) {
  return decode_part(token, 1);
}
boost::json::object jwt_header(std::string_view token) {
  return decode_part(token, 0);
}

}  // namespace kefir::test
