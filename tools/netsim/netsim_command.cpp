#include "netsim_command.hpp"

#include <algorithm>
#include <cctype>

namespace peercall::netsim {
namespace {

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == ',' ||
                               text[i] == '\r' || text[i] == '\n'))
      ++i;
    size_t start = i;
    while (i < text.size() && !(text[i] == ' ' || text[i] == '\t' || text[i] == ',' ||
                                text[i] == '\r' || text[i] == '\n'))
      ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Command> parse_command(std::string_view line) {
  auto words = split_words(line);
  if (words.empty()) return Error("empty command");
  Command cmd;
  size_t i = 0;
  if (words[0] == "a->b") cmd.which = Which::a_to_b, ++i;
  else if (words[0] == "b->a") cmd.which = Which::b_to_a, ++i;
  else if (words[0] == "both") cmd.which = Which::both, ++i;
  if (i == words.size()) return Error("\"" + std::string(line) + "\": no setting");
  for (; i < words.size(); ++i) {
    std::string_view word = words[i];
    std::string joined;
    // "down 2s" is "down=2s"; a bare "down" lasts until "up".
    if (word == "down" && i + 1 < words.size() && parse_duration(words[i + 1]).ok()) {
      joined = "down=" + std::string(words[++i]);
      word = joined;
    }
    auto change = parse_change(word);
    if (!change) return Error(change.error());
    cmd.changes.push_back(*change);
  }
  return cmd;
}

Result<std::vector<ScheduledCommand>> parse_schedule(std::string_view text) {
  std::vector<ScheduledCommand> entries;
  while (!text.empty()) {
    size_t semi = text.find(';');
    std::string_view entry = trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
    if (entry.empty()) continue;
    size_t colon = entry.find(':');
    if (colon == std::string_view::npos)
      return Error("schedule: \"" + std::string(entry) + "\" is not SECONDS:COMMAND");
    std::string when(trim(entry.substr(0, colon)));
    if (!when.empty() && std::isdigit(static_cast<unsigned char>(when.back()))) when += "s";
    auto at = parse_duration(when);
    if (!at) return Error("schedule: bad time in \"" + std::string(entry) + "\"");
    auto cmd = parse_command(entry.substr(colon + 1));
    if (!cmd) return Error("schedule: " + cmd.error());
    entries.push_back(ScheduledCommand{*at, std::move(*cmd)});
  }
  if (entries.empty()) return Error("schedule: no entries");
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& x, const auto& y) { return x.at < y.at; });
  return entries;
}

ScheduleRunner::ScheduleRunner(std::vector<ScheduledCommand> entries, Instant start)
    : entries_(std::move(entries)), start_(start) {}

std::vector<Command> ScheduleRunner::due(Instant now) {
  std::vector<Command> out;
  while (next_ < entries_.size() && start_ + entries_[next_].at <= now)
    out.push_back(entries_[next_++].command);
  return out;
}

std::optional<Instant> ScheduleRunner::next_wakeup() const {
  if (next_ >= entries_.size()) return std::nullopt;
  return start_ + entries_[next_].at;
}

}  // namespace peercall::netsim
