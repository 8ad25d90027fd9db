#pragma once
// Texts kept end to end in one buffer, each read back as a view into it. A page of stored documents then
// costs one growing allocation instead of one per document: allocating, copying into and freeing a string per
// row was ~7 % of a built list page's instructions (more for a timeline of 50 events).
#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace kefir {

class PackedTexts {
 public:
  class const_iterator {
   public:
    using iterator_category = std::input_iterator_tag;  // it yields views, not references
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = std::string_view;

    const_iterator(const PackedTexts& texts, std::size_t index) : texts_(&texts), index_(index) {}
    std::string_view operator*() const { return (*texts_)[index_]; }
    const_iterator& operator++() {
      ++index_;
      return *this;
    }
    const_iterator operator++(int) {
      auto before = *this;
      ++index_;
      return before;
    }
    bool operator==(const const_iterator& other) const { return index_ == other.index_; }

   private:
    const PackedTexts* texts_;
    std::size_t index_;
  };

  void push_back(std::string_view text) {
    if (ends_.empty()) {
      // A page's worth at once: doubling from a few bytes would copy the texts ten times over.
      text_.reserve(kFirstBytes);
      ends_.reserve(kFirstTexts);
    }
    text_ += text;
    ends_.push_back(text_.size());
  }
  void reserve(std::size_t bytes) { text_.reserve(bytes); }
  void pop_back() {
    ends_.pop_back();
    text_.resize(ends_.empty() ? 0 : ends_.back());
  }
  std::string_view operator[](std::size_t index) const {
    const std::size_t begin = index == 0 ? 0 : ends_[index - 1];
    return std::string_view(text_).substr(begin, ends_[index] - begin);
  }
  std::string_view back() const { return (*this)[ends_.size() - 1]; }
  std::size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  std::size_t bytes() const { return text_.size(); }  // of all the texts together
  const_iterator begin() const { return {*this, 0}; }
  const_iterator end() const { return {*this, ends_.size()}; }

 private:
  static constexpr std::size_t kFirstBytes = 16 * 1024;
  static constexpr std::size_t kFirstTexts = 32;
  std::string text_;
  std::vector<std::size_t> ends_;  // one past each text's last byte
};

}  // namespace kefir
