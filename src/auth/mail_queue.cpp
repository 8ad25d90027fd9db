#include "auth/mail_queue.hpp"

#include <algorithm>
#include <filesystem>

#include "util/log.hpp"

namespace kefir::auth {

MailQueue::MailQueue(std::unique_ptr<mail::Mailer> transport, std::string transport_name,
                     ops::ServiceMetrics& metrics, MailQueueOptions options)
    : transport_(std::move(transport)),
      transport_name_(std::move(transport_name)),
      metrics_(metrics),
      options_(std::move(options)) {
  if (options_.synchronous)
    options_.retry_delays.clear();
  else
    worker_ = std::thread([this] { run(); });
}

MailQueue::~MailQueue() {
  if (!worker_.joinable()) return;
  std::unique_lock lock(mutex_);
  stopping_ = true;
  drain_deadline_ = std::chrono::steady_clock::now() + options_.drain_timeout;
  changed_.notify_all();
  if (!changed_.wait_until(lock, drain_deadline_, [this] { return finished_; })) transport_->abort();
  lock.unlock();
  worker_.join();
}

void MailQueue::send(const mail::Message& message) {
  if (options_.synchronous) {
    deliver(Pending{message, 0, std::chrono::steady_clock::now()});
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (pending_.size() >= options_.capacity) {
      log::error("mail dropped: queue full",
                 {{"to", log::email(message.to)}, {"transport", transport_name_}});
      metrics_.otp_email_failed(transport_name_);
      return;
    }
    Pending pending{message, 0, std::chrono::steady_clock::now()};
    auto at = std::upper_bound(pending_.begin(), pending_.end(), pending.due,
                               [](auto due, const Pending& other) { return due < other.due; });
    pending_.insert(at, std::move(pending));
  }
  changed_.notify_one();
}

void MailQueue::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    auto now = std::chrono::steady_clock::now();
    if (stopping_ && (pending_.empty() || now >= drain_deadline_)) break;
    if (pending_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto due = pending_.front().due;
    if (stopping_) due = std::min(due, drain_deadline_);
    if (now < due) {
      changed_.wait_until(lock, due);
      continue;
    }
    Pending next = std::move(pending_.front());
    pending_.pop_front();
    lock.unlock();
    deliver(std::move(next));
    lock.lock();
  }
  for (const auto& dropped : pending_)
    log::error("mail dropped at shutdown",
               {{"to", log::email(dropped.message.to)}, {"transport", transport_name_}});
  finished_ = true;
  changed_.notify_all();
}

void MailQueue::deliver(Pending pending) {
  ++pending.attempts;
  try {
    transport_->send(pending.message);
    metrics_.otp_email_sent(transport_name_);
    log::info("mail sent", {{"to", log::email(pending.message.to)},
                            {"transport", transport_name_},
                            {"attempts", pending.attempts}});
    return;
  } catch (const mail::MailError& error) {
    bool retry = !error.permanent() && pending.attempts <= options_.retry_delays.size();
    log::warn(retry ? "mail failed, will retry" : "mail failed", {{"to", log::email(pending.message.to)},
                                                                  {"transport", transport_name_},
                                                                  {"attempts", pending.attempts},
                                                                  {"error", error.what()}});
    if (!retry) {
      metrics_.otp_email_failed(transport_name_);
      return;
    }
    pending.due = std::chrono::steady_clock::now() + options_.retry_delays[pending.attempts - 1];
  } catch (const std::exception& error) {
    log::error(
        "mail failed",
        {{"to", log::email(pending.message.to)}, {"transport", transport_name_}, {"error", error.what()}});
    metrics_.otp_email_failed(transport_name_);
    return;
  }
  std::lock_guard lock(mutex_);
  auto at = std::upper_bound(pending_.begin(), pending_.end(), pending.due,
                             [](auto due, const Pending& other) { return due < other.due; });
  pending_.insert(at, std::move(pending));
}

}  // namespace kefir::auth
