#include "support/auth_helpers.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/http_client.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

constexpr std::string_view kMailSeparator = "----- mail\n";

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
  static const std::regex code_pattern(R"(\b(\d{6})\b)");
  std::smatch match;
  if (std::regex_search(mail.body, match, code_pattern)) mail.code = match[1];
  return mail;
}

std::vector<OutboxMail> mails_for(const std::string& data_dir, const std::string& email) {
  auto mails = read_outbox(data_dir);
  std::erase_if(mails, [&](const OutboxMail& mail) { return mail.to != email; });
  return mails;
}

HttpResponse post_json(const ServerProcess& server, const std::string& path, const boost::json::object& body) {
  return ApiClient(server.base_url()).post(path, body);
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
    mails.push_back(parse_mail(std::string_view(text).substr(start, next == std::string::npos ? next : next - start)));
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

SignedIn sign_in(const ServerProcess& server, const std::string& email) {
  // A login inside the resend cooldown is accepted but sends nothing, so keep asking until a new mail arrives.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(45);
  std::string code;
  while (code.empty()) {
    auto known = count_mails(server.data_dir(), email);
    auto login = post_json(server, "/auth/login", {{"email", email}});
    if (login.status != 202)
      throw std::runtime_error("POST /auth/login: " + std::to_string(login.status) + " " + login.body);
    code = wait_for_new_code(server.data_dir(), email, known, std::chrono::seconds(3));
    if (code.empty() && std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error("no sign-in code for " + email + " in " + server.data_dir() + "/outbox.log");
  }
  auto verify = post_json(server, "/auth/verify", {{"email", email}, {"code", code}});
  if (verify.status != 200)
    throw std::runtime_error("POST /auth/verify: " + std::to_string(verify.status) + " " + verify.body);
  const auto& body = verify.json().as_object();
  return {std::string(body.at("accessToken").as_string()), std::string(body.at("idToken").as_string()),
          std::string(body.at("refreshToken").as_string()),
          std::string(body.at("user").as_object().at("userId").as_string())};
}

std::string unique_email(const std::string& prefix) { return prefix + "-" + unique_suffix() + "@example.com"; }

}  // namespace kefir::test
