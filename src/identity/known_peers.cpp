#include "identity/known_peers.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "identity/fingerprint.hpp"

namespace peercall {
namespace {

constexpr size_t kMaxNameLength = 64;
constexpr off_t kMaxFileSize = 1 << 20;  // a list of people, not a database
constexpr const char* kExpected = "expected 'NAME sha-256 AB:CD:...'";

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::vector<std::string_view> split_blanks(std::string_view line) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > start) tokens.push_back(line.substr(start, i - start));
  }
  return tokens;
}

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", unsigned(mode & 07777));
  return text;
}

std::string errno_text() { return std::strerror(errno); }

// Creates dir and its missing parents with mode 0700 (existing ones are left as they are).
Result<Done> ensure_directory(const std::filesystem::path& dir) {
  struct stat st{};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return Error{"known peers: " + dir.string() + " is not a directory"};
    return Done{};
  }
  if (errno != ENOENT) return Error{"known peers: " + dir.string() + ": " + errno_text()};
  std::filesystem::path parent = dir.parent_path();
  if (!parent.empty() && parent != dir) {
    Result<Done> made = ensure_directory(parent);
    if (!made) return made;
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Error{"known peers: cannot create " + dir.string() + ": " + errno_text()};
  return Done{};
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(size_t(n));
  }
  return true;
}

}  // namespace

bool KnownPeers::is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '@' || c == '-';
  });
}

Result<KnownPeers> KnownPeers::load(const std::filesystem::path& file) {
  KnownPeers peers(file);
  const std::string where = "known peers: " + file.string();
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return peers;
    return Error{where + ": " + errno_text()};
  }
  // Checked on the open file, so what is read is what was checked.
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    std::string reason = errno_text();
    ::close(fd);
    return Error{where + ": " + reason};
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{where + " is not a regular file"};
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return Error{where + " may be read or changed by others (mode " + octal_mode(st.st_mode) +
                 "); fix it with: chmod 600 " + file.string()};
  }
  if (st.st_size > kMaxFileSize) {
    ::close(fd);
    return Error{where + " is larger than 1 MiB"};
  }
  std::string content;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string reason = errno_text();
      ::close(fd);
      return Error{where + ": " + reason};
    }
    if (n == 0) break;
    content.append(buffer, size_t(n));
    if (content.size() > size_t(kMaxFileSize)) {
      ::close(fd);
      return Error{where + " is larger than 1 MiB"};
    }
  }
  ::close(fd);

  std::string_view rest = content;
  size_t number = 0;
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    std::string_view text = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    ++number;
    Line line{.text = std::string(text), .name = {}, .fingerprint = {}};
    std::vector<std::string_view> tokens = split_blanks(text);
    std::string at = file.string() + ":" + std::to_string(number) + ": ";
    if (tokens.empty() || tokens[0].front() == '#') {
      // a comment or a blank line
    } else if (tokens.size() != 3 || !is_valid_name(tokens[0])) {
      peers.warnings_.push_back(at + kExpected + "; line ignored");
    } else if (auto fingerprint = normalize_fingerprint(std::string(tokens[1]) + " " + std::string(tokens[2]));
               !fingerprint) {
      peers.warnings_.push_back(at + "not a sha-256 fingerprint (32 hex bytes AB:CD:...); line ignored");
    } else if (peers.find(tokens[0]) != nullptr) {
      peers.warnings_.push_back(at + "'" + std::string(tokens[0]) + "' appears again; line ignored");
    } else {
      line.name = std::string(tokens[0]);
      line.fingerprint = *fingerprint;
    }
    peers.lines_.push_back(std::move(line));
  }
  return peers;
}

const KnownPeers::Line* KnownPeers::find(std::string_view name) const {
  for (const Line& line : lines_)
    if (!line.name.empty() && line.name == name) return &line;
  return nullptr;
}

size_t KnownPeers::size() const {
  return size_t(std::count_if(lines_.begin(), lines_.end(), [](const Line& l) { return !l.name.empty(); }));
}

std::optional<std::string> KnownPeers::fingerprint_of(std::string_view name) const {
  const Line* line = find(name);
  if (line == nullptr) return std::nullopt;
  return line->fingerprint;
}

std::optional<std::string> KnownPeers::name_of(std::string_view fingerprint) const {
  std::optional<std::string> wanted = normalize_fingerprint(fingerprint);
  if (!wanted) return std::nullopt;
  for (const Line& line : lines_)
    if (!line.name.empty() && line.fingerprint == *wanted) return line.name;
  return std::nullopt;
}

KnownPeers::Check KnownPeers::check(std::string_view name, std::string_view fingerprint,
                                    std::string* previous) const {
  const Line* line = find(name);
  if (line == nullptr) return Check::kNew;
  std::optional<std::string> given = normalize_fingerprint(fingerprint);
  if (given && *given == line->fingerprint) return Check::kSame;
  if (previous != nullptr) *previous = line->fingerprint;
  return Check::kChanged;
}

Result<Done> KnownPeers::remember(std::string_view name, std::string_view fingerprint) {
  if (!is_valid_name(name))
    return Error{"known peers: '" + std::string(name.substr(0, 80)) +
                 "' is not a name (1-64 characters of A-Z a-z 0-9 . _ @ -)"};
  std::optional<std::string> canonical = normalize_fingerprint(fingerprint);
  if (!canonical) return Error{"known peers: not a sha-256 fingerprint (sha-256 and 32 hex bytes AB:CD:...)"};
  std::vector<Line> updated = lines_;
  Line entry{.text = std::string(name) + " " + *canonical, .name = std::string(name), .fingerprint = *canonical};
  auto known = std::find_if(updated.begin(), updated.end(), [&](const Line& l) { return l.name == name; });
  if (known != updated.end()) {
    *known = std::move(entry);
  } else {
    updated.push_back(std::move(entry));
  }
  Result<Done> written = write_file(updated);
  if (written) lines_ = std::move(updated);
  return written;
}

Result<Done> KnownPeers::write_file(const std::vector<Line>& lines) const {
  std::filesystem::path dir = file_.parent_path();
  if (dir.empty()) dir = ".";
  Result<Done> made = ensure_directory(dir);
  if (!made) return made;
  std::string content;
  for (const Line& line : lines) content += line.text + "\n";

  // Write a private temporary file beside it and rename it over the old one:
  // readers see the old list or the new one, never half of it.
  std::string temporary = (dir / (file_.filename().string() + ".tmp.XXXXXX")).string();
  int fd = ::mkstemp(temporary.data());
  if (fd < 0) return Error{"known peers: cannot create a file in " + dir.string() + ": " + errno_text()};
  std::string failure;
  if (::fchmod(fd, 0600) != 0 || !write_all(fd, content) || ::fsync(fd) != 0) failure = errno_text();
  if (::close(fd) != 0 && failure.empty()) failure = errno_text();
  if (failure.empty() && ::rename(temporary.c_str(), file_.c_str()) != 0) failure = errno_text();
  if (!failure.empty()) {
    ::unlink(temporary.c_str());
    return Error{"known peers: cannot write " + file_.string() + ": " + failure};
  }
  // Make the rename itself durable.
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Done{};
}

}  // namespace peercall
