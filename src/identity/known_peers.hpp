#pragma once
// The peers this user has met, by name and certificate fingerprint, like ssh's
// known_hosts: the file DIR/known_peers, one line per peer
//
//   # comments and blank lines are kept
//   grandma sha-256 AB:CD:...:EF
//
// NAME is 1-64 characters of A-Z a-z 0-9 . _ @ -. A peer that comes back with
// another fingerprint is someone else (or a reinstalled machine): check()
// says so and the caller asks the user before remember() replaces it.
//
// Plain file I/O on demand, no threads; one KnownPeers per process. Lines this
// version cannot read are skipped with a warning and written back unchanged.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace peercall {

class KnownPeers {
 public:
  // Reads the file. A missing file is an empty list (remember() creates it and
  // its directory). Fails only when the file cannot be read or when others may
  // read or write it (mode wider than 0600): then the user has to fix it.
  static Result<KnownPeers> load(const std::filesystem::path& file);

  // Names are valid NAMEs; fingerprints "sha-256 AB:CD:..." (see
  // fingerprint.hpp), in any letter case. Fingerprints that do not parse
  // never match anything.
  static bool is_valid_name(std::string_view name);

  // The canonical fingerprint remembered for a name.
  std::optional<std::string> fingerprint_of(std::string_view name) const;
  // The first name remembered with this exact fingerprint.
  std::optional<std::string> name_of(std::string_view fingerprint) const;

  enum class Check { kNew, kSame, kChanged };
  // kNew: name unknown; kSame: known with this fingerprint; kChanged: known
  // with another, stored into *previous (when not null).
  Check check(std::string_view name, std::string_view fingerprint, std::string* previous = nullptr) const;

  // Adds the peer, or replaces the fingerprint of a known name, and rewrites
  // the file atomically (a 0600 temporary file renamed over it; its directory
  // created 0700 if missing). Comments and unreadable lines stay as they were.
  Result<Done> remember(std::string_view name, std::string_view fingerprint);

  // One line per skipped line: "known_peers:7: expected 'NAME sha-256 AB:CD:...'".
  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::filesystem::path& path() const { return file_; }
  size_t size() const;

 private:
  struct Line {
    std::string text;         // verbatim, for comments, blanks and unreadable lines
    std::string name;         // empty unless this line is a peer
    std::string fingerprint;  // canonical
  };

  explicit KnownPeers(std::filesystem::path file) : file_(std::move(file)) {}
  const Line* find(std::string_view name) const;
  Result<Done> write_file(const std::vector<Line>& lines) const;

  std::filesystem::path file_;
  std::vector<Line> lines_;
  std::vector<std::string> warnings_;
};

}  // namespace peercall
