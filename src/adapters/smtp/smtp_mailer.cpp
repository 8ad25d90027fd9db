#include "adapters/smtp/smtp_mailer.hpp"

#include <curl/curl.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>

#include "util/crypto.hpp"
#include "util/ids.hpp"

namespace kefir::mail {
namespace {

constexpr long kConnectTimeoutSeconds = 10;
constexpr long kTotalTimeoutSeconds = 30;

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

std::string rfc5322_date(TimePoint t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday], utc.tm_mday,
                kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

// SMTP wants CRLF line ends; the bodies are written with '\n'.
std::string crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') continue;
    if (text[i] == '\n')
      out += "\r\n";
    else
      out.push_back(text[i]);
  }
  return out;
}

struct UploadSource {
  std::string_view remaining;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* source = static_cast<UploadSource*>(user);
  std::size_t length = std::min(size * count, source->remaining.size());
  std::memcpy(buffer, source->remaining.data(), length);
  source->remaining.remove_prefix(length);
  return length;
}

// libcurl calls this at least once a second, also while it waits for a silent server.
int continue_unless_aborted(void* aborted, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(aborted)->load() ? 1 : 0;
}

struct CurlFree {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

std::string mailbox_address(std::string_view from) {
  auto open = from.rfind('<');
  auto close = from.rfind('>');
  std::string_view address = from;
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    address = from.substr(open + 1, close - open - 1);
  while (!address.empty() && address.front() == ' ') address.remove_prefix(1);
  while (!address.empty() && address.back() == ' ') address.remove_suffix(1);
  if (address.find('@') == std::string_view::npos ||
      address.find_first_of(" <>\r\n") != std::string_view::npos)
    return {};
  return std::string(address);
}

std::string format_message(const Message& message, std::string_view from_header,
                           std::string_view from_address, TimePoint date) {
  std::string boundary = "kefir-" + crypto::hex_encode(crypto::random_bytes(12));
  auto domain = from_address.substr(from_address.find('@') + 1);
  std::string out;
  out += "Date: " + rfc5322_date(date) + "\r\n";
  out += "From: " + std::string(from_header) + "\r\n";
  out += "To: " + message.to + "\r\n";
  out += "Subject: " + message.subject + "\r\n";
  out += "Message-ID: <" + uuid_v4() + "@" + std::string(domain) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary +
         "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  out += crlf(message.text) + "\r\n";
  out += "--" + boundary +
         "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  out += crlf(message.html) + "\r\n";
  out += "--" + boundary + "--\r\n";
  return out;
}

SmtpMailer::SmtpMailer(std::string url, std::string from)
    : url_(std::move(url)), from_header_(std::move(from)), from_address_(mailbox_address(from_header_)) {
  if (from_address_.empty() || has_line_break(from_header_))
    throw std::invalid_argument("MAIL_FROM: needs one address, e.g. 'Kefir <no-reply@example.com>'");
}

void SmtpMailer::send(const Message& message) {
  if (has_line_break(message.to) || has_line_break(message.subject))
    throw MailError("line break in a mail header", true);
  std::string data =
      format_message(message, from_header_, from_address_,
                     std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now()));
  UploadSource source{data};
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) throw MailError("curl_easy_init failed", false);
  std::unique_ptr<curl_slist, SlistFree> recipients(
      curl_slist_append(nullptr, ("<" + message.to + ">").c_str()));
  std::string sender = "<" + from_address_ + ">";
  char error_text[CURL_ERROR_SIZE] = {};
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(handle, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  curl_easy_setopt(handle, CURLOPT_MAIL_FROM, sender.c_str());
  curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(handle, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(handle, CURLOPT_READDATA, &source);
  curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT, kTotalTimeoutSeconds);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, continue_unless_aborted);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &aborted_);
  CURLcode result = curl_easy_perform(handle);
  if (result == CURLE_OK) return;
  long reply = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply);
  std::string text = *error_text ? error_text : curl_easy_strerror(result);
  if (reply > 0) text += " (SMTP " + std::to_string(reply) + ")";
  // 5xx: the server refused this message for good (unknown mailbox, policy); 4xx and transport errors may
  // pass on a retry.
  throw MailError(text, reply >= 500);
}

}  // namespace kefir::mail
