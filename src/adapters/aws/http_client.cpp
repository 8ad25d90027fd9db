#include "adapters/aws/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>

namespace kefir::net {
namespace {

std::once_flag global_init;

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::size_t append_header(char* data, std::size_t size, std::size_t count, void* out) {
  auto* response = static_cast<HttpResponse*>(out);
  std::string_view line(data, size * count);
  // A status line starts a new response (after "100 Continue"): only the final one's headers count.
  if (line.starts_with("HTTP/")) {
    response->headers.clear();
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    response->headers.emplace_back(lower(trim(line.substr(0, colon))),
                                   std::string(trim(line.substr(colon + 1))));
  }
  return size * count;
}

std::size_t read_file(char* buffer, std::size_t size, std::size_t count, void* file) {
  return std::fread(buffer, size, count, static_cast<std::FILE*>(file)) * size;
}

struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct FileClose {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

struct HttpClient::Upload {
  std::FILE* file;
  curl_off_t size;
};

std::string_view HttpResponse::header(std::string_view lower_case_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_case_name) return value;
  return {};
}

HttpClient::HttpClient(HttpClientOptions options) : options_(options) {
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpClient::~HttpClient() {
  for (auto* handle : idle_) curl_easy_cleanup(handle);
}

CURL* HttpClient::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  auto* handle = curl_easy_init();
  if (!handle) throw NetworkError("curl_easy_init failed");
  return handle;
}

void HttpClient::release(CURL* handle) {
  // Reset clears the options but keeps the handle's live connections, which is what the pool is for.
  curl_easy_reset(handle);
  std::lock_guard lock(mutex_);
  if (idle_.size() < options_.max_idle_handles) {
    idle_.push_back(handle);
    return;
  }
  curl_easy_cleanup(handle);
}

HttpResponse HttpClient::send(std::string_view method, const std::string& url, const http::Headers& headers,
                              std::string_view body) {
  return perform(method, url, headers, body, nullptr);
}

HttpResponse HttpClient::send_file(std::string_view method, const std::string& url,
                                   const http::Headers& headers, const std::string& path) {
  std::unique_ptr<std::FILE, FileClose> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw NetworkError("cannot open " + path + " for upload");
  Upload upload{file.get(), static_cast<curl_off_t>(std::filesystem::file_size(path))};
  return perform(method, url, headers, {}, &upload);
}

HttpResponse HttpClient::perform(std::string_view method, const std::string& url,
                                 const http::Headers& headers, std::string_view body, Upload* upload) {
  std::unique_ptr<curl_slist, SlistFree> header_list;
  auto add_header = [&](const std::string& line) {
    // The list's head never changes after the first append; a null result leaves the list untouched.
    auto* head = curl_slist_append(header_list.get(), line.c_str());
    if (!head) throw NetworkError("out of memory building headers");
    if (!header_list) header_list.reset(head);
  };
  bool has_content_type = false;
  for (const auto& [name, value] : headers) {
    has_content_type = has_content_type || lower(name) == "content-type";
    // "Name;" is curl's way of sending a header with an empty value.
    add_header(value.empty() ? name + ";" : name + ": " + value);
  }
  // No "Expect: 100-continue" round trip, and no content type the caller did not choose (it may be signed).
  add_header("Expect:");
  if (!has_content_type) add_header("Content-Type:");

  HttpResponse response;
  std::string method_text(method);
  auto* curl = acquire();
  std::unique_ptr<CURL, std::function<void(CURL*)>> borrowed(curl, [this](CURL* handle) { release(handle); });
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (upload) {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_file);
    curl_easy_setopt(curl, CURLOPT_READDATA, upload->file);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, upload->size);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  } else if (!body.empty() || method == "POST" || method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  }
  auto code = curl_easy_perform(curl);
  if (code != CURLE_OK) throw NetworkError(method_text + " " + url + ": " + curl_easy_strerror(code));
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace kefir::net
