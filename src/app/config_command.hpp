#pragma once
// `peercall config [COMMAND [OPTIONS...]]`: the effective settings, and where
// each came from: the default, the settings file, or a flag. The settings file
// is $XDG_CONFIG_HOME/peercall/peercall.conf (~/.config/... without it), read
// by CLI11 with the options' own names, one section per command:
//
//     verbose = true
//     [listen]
//     port = 6000
//     accept = "ask"
//
// Flags override the file. Kept in this header (inline): it is small and only
// main.cpp and its tests use it.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace peercall {

// The command line, owning the values its options fill (main.cpp derives).
struct CommandLine {
  CLI::App app;
  explicit CommandLine(std::string description) : app(std::move(description)) {}
  virtual ~CommandLine() = default;
};
// Builds a fresh command line; `read_settings_file` false leaves the file out.
using CommandLineFactory = std::function<std::unique_ptr<CommandLine>(bool read_settings_file)>;

inline std::string default_settings_path() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/peercall/peercall.conf";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.config/peercall/peercall.conf";
}

namespace config_detail {

inline bool is_number(const std::string& v) {
  if (v.empty()) return false;
  char* end = nullptr;
  std::strtod(v.c_str(), &end);
  return end && *end == '\0';
}

// As it would be written in the settings file.
inline std::string toml_value(const std::vector<std::string>& values, bool is_flag) {
  auto one = [is_flag](const std::string& v) {
    if (is_flag || v == "true" || v == "false" || is_number(v)) return v;
    std::string quoted = "\"";
    for (char c : v) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return quoted + "\"";
  };
  if (values.size() == 1) return one(values.front());
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + one(values[i]);
  return out + "]";
}

inline std::string option_name(const CLI::Option* op) {
  // The long name, as the settings file spells it ("port" for --port).
  return op->get_lnames().empty() ? op->get_name() : op->get_lnames().front();
}

// The options a user sets: not help, not --version, not the settings file's
// own option, not positionals (targets are typed, not configured), not hidden.
inline bool is_setting(const CLI::Option* op) {
  const std::string name = option_name(op);
  return !op->get_lnames().empty() && name != "help" && name != "version" && name != "config" &&
         !op->get_group().empty();
}

inline void describe(const CLI::App& with_file, const CLI::App& flags_only, bool flags_apply,
                     std::string& out) {
  for (const CLI::Option* op : with_file.get_options()) {
    if (!is_setting(op)) continue;
    const bool is_flag = op->get_expected_min() == 0;
    const CLI::Option* typed = flags_only.get_option_no_throw(op->get_name());
    const bool from_flag = flags_apply && typed && typed->count() > 0;
    const bool from_file = !from_flag && op->count() > 0;
    std::vector<std::string> values;
    const char* source = "default";
    if (from_flag) {
      values = typed->results();
      source = "flag";
    } else if (from_file) {
      values = op->results();
      source = "file";
    } else {
      std::string def = op->get_default_str();
      values = {def.empty() && is_flag ? std::string("false") : def};
    }
    if (is_flag && (from_flag || from_file)) {
      // A flag given without a value is "true".
      for (auto& v : values)
        if (v.empty() || v == "1") v = "true";
    }
    std::string line = "  " + option_name(op) + " = " + toml_value(values, is_flag);
    if (line.size() < 40) line.resize(40, ' ');
    out += line + "  # " + source + "\n";
  }
}

}  // namespace config_detail

// args: what followed `config` (e.g. {"listen", "--port", "6000"}), possibly
// nothing (every command's settings). Returns the exit code.
inline int run_config_command(const std::vector<std::string>& args, const CommandLineFactory& make,
                              const std::string& settings_path) {
  auto with_file = make(true);
  auto flags_only = make(false);
  std::vector<std::string> argv = args.empty() ? std::vector<std::string>{"config"} : args;
  // Targets (HOST:PORT/CODE) are not settings: not needed here.
  auto all = [](CLI::App*) { return true; };
  for (auto* cmd : {&with_file->app, &flags_only->app})
    for (CLI::App* sub : cmd->get_subcommands(all))
      for (CLI::Option* op : sub->get_options()) op->required(false);
  std::vector<std::string> reversed(argv.rbegin(), argv.rend());
  try {
    std::vector<std::string> a = reversed, b = reversed;
    with_file->app.parse(a);
    flags_only->app.parse(b);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "peercall config: %s\n", e.what());
    return 2;
  }
  const std::string named = args.empty() ? "" : args.front();
  std::FILE* probe = std::fopen(settings_path.c_str(), "r");
  std::string out = "# settings file: " + settings_path +
                    (probe ? " (read)\n" : " (not there: defaults and flags only)\n");
  if (probe) std::fclose(probe);
  out += "# flags override the file; the file overrides the defaults\n";
  config_detail::describe(with_file->app, flags_only->app, true, out);
  for (CLI::App* sub : with_file->app.get_subcommands(all)) {
    const std::string name = sub->get_name();
    if (name == "config" || name == "devices") continue;
    if (!named.empty() && named != name && named != "config") continue;
    out += "\n[" + name + "]\n";
    const CLI::App* typed = nullptr;
    try {
      typed = flags_only->app.get_subcommand(name);
    } catch (const CLI::OptionNotFound&) {
      continue;
    }
    config_detail::describe(*sub, *typed, named == name, out);
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace peercall
