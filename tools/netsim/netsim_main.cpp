// peercall-netsim: a bad link you can run. `up` makes two network namespaces
// joined through this process, which delays, drops and rate-limits what
// crosses (the sans-I/O ImpairedLink); `down` removes what a killed `up` left.
// See tools/netsim/README.md.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "impaired_link.hpp"
#include "netns_link.hpp"

using namespace peercall;
using namespace peercall::netsim;

namespace {

const char* kUsage = R"(usage:
  peercall-netsim up [options]    make the link, print "ready", run until SIGINT/SIGTERM
  peercall-netsim down [--ns-a A] [--ns-b B]    remove what a killed `up` left behind

Namespaces and addresses (only inside 198.18.0.0/15):
  --ns-a NAME (pcsimA)   --addr-a 198.18.0.1/24
  --ns-b NAME (pcsimB)   --addr-b 198.18.0.2/24
Impairment of both directions (then --a-b / --b-a for one):
  --delay D          one-way delay: 100ms, 0.1s (bare numbers are ms)
  --jitter D         +-D (uniform) or standard deviation D (normal)
  --dist uniform|normal
  --reorder          jittered packets may overtake each other (default: kept in order)
  --loss P           random loss, percent: 5%
  --burst P/N        bursty loss: P percent in bursts of N packets on average
  --gilbert A/B/C/D  Gilbert-Elliott: p(good->bad)/p(bad->good)/loss in bad/loss in good
  --rate R           cap in kbit/s (2000, 2mbit; off)
  --queue Q          the cap's drop-tail queue: bytes (64000, 64kB) or time (300ms); 64000 B
  --a-b "WORDS"      settings for a->b only, e.g. "delay=50ms loss=5%"
  --b-a "WORDS"      settings for b->a only
Changes while it runs:
  --schedule "T:CMD;..."   e.g. "0:rate=2000;10:rate=300;30:rate=2000" (T: seconds after ready)
  stdin, one command per line: "a->b loss=5%", "both down 2s", "up", "stats", "quit"
  --seed N           the same N replays the same losses and jitter (default: random, printed)
Output: "ready" on stdout once the link is up; a JSON line of counters on SIGUSR1, on
"stats" and at exit. Then e.g.: ip netns exec pcsimA ping 198.18.0.2
)";

int usage_error(const std::string& why) {
  std::fprintf(stderr, "peercall-netsim: %s\n(peercall-netsim --help)\n", why.c_str());
  return 2;
}

struct UpOptions {
  std::string ns_a = "pcsimA", ns_b = "pcsimB";
  std::string addr_a = "198.18.0.1/24", addr_b = "198.18.0.2/24";
  std::vector<std::string> initial;  // commands applied at start, in order
  std::string schedule;
  std::optional<uint64_t> seed;
};

// Parses `up`/`down` options; returns the error text or "" when fine.
std::string parse_options(int argc, char** argv, UpOptions& o) {
  const std::vector<std::pair<const char*, const char*>> both_words = {
      {"--delay", "delay"}, {"--jitter", "jitter"}, {"--dist", "dist"},       {"--loss", "loss"},
      {"--burst", "burst"}, {"--gilbert", "gilbert"}, {"--rate", "rate"}, {"--queue", "queue"}};
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "--reorder") {
      o.initial.push_back("both reorder=on");
      continue;
    }
    bool matched = false;
    for (auto& [option, word] : both_words) {
      if (arg != option) continue;
      const char* v = value();
      if (!v) return arg + " needs a value";
      o.initial.push_back(std::string("both ") + word + "=" + v);
      matched = true;
    }
    if (matched) continue;
    const char* v = value();
    if (!v) return arg == "--help" ? "" : "unknown option " + arg;
    if (arg == "--ns-a") o.ns_a = v;
    else if (arg == "--ns-b") o.ns_b = v;
    else if (arg == "--addr-a") o.addr_a = v;
    else if (arg == "--addr-b") o.addr_b = v;
    else if (arg == "--a-b") o.initial.push_back(std::string("a->b ") + v);
    else if (arg == "--b-a") o.initial.push_back(std::string("b->a ") + v);
    else if (arg == "--schedule") o.schedule = v;
    else if (arg == "--seed") {
      char* end = nullptr;
      errno = 0;
      unsigned long long n = std::strtoull(v, &end, 10);
      if (errno || !end || *end || !*v) return "--seed wants a number";
      o.seed = n;
    } else {
      return "unknown option " + arg;
    }
  }
  return "";
}

void print_counters(const ImpairedLink& link) {
  std::printf("%s\n", link.counters_json().c_str());
  std::fflush(stdout);
}

class Relay {
 public:
  Relay(ImpairedLink& link, ScheduleRunner& schedule, const NetnsLink& tuns, int signals,
        Instant start)
      : link_(link), schedule_(schedule), tuns_(tuns), signals_(signals), start_(start) {}

  void run() {
    while (!stop_) {
      Instant now = Clock::now();
      for (const Command& cmd : schedule_.due(now)) {
        link_.apply(cmd, now);
        log_settings("schedule", now);
      }
      deliver(link_.a_to_b(), tuns_.tun_b(), now);
      deliver(link_.b_to_a(), tuns_.tun_a(), now);
      wait_and_read();
    }
  }

 private:
  void deliver(ImpairedDirection& dir, int out_fd, Instant now) {
    for (const DuePacket& p : dir.poll(now)) {
      // A full receive queue in the other namespace drops it, as a NIC would.
      ssize_t ignored = write(out_fd, p.bytes.data(), p.bytes.size());
      (void)ignored;
    }
  }

  void wait_and_read() {
    std::optional<Instant> wake = link_.next_wakeup();
    if (auto s = schedule_.next_wakeup(); s && (!wake || *s < *wake)) wake = s;
    timespec ts{};
    timespec* timeout = nullptr;
    if (wake) {
      auto left = std::max<int64_t>(0, to_micros(*wake - Clock::now()));
      ts.tv_sec = left / 1000000;
      ts.tv_nsec = (left % 1000000) * 1000;
      timeout = &ts;
    }
    pollfd fds[4] = {{tuns_.tun_a(), POLLIN, 0}, {tuns_.tun_b(), POLLIN, 0}, {signals_, POLLIN, 0},
                     {stdin_open_ ? 0 : -1, POLLIN, 0}};
    if (ppoll(fds, 4, timeout, nullptr) <= 0) return;
    if (fds[0].revents & POLLIN) read_tun(tuns_.tun_a(), link_.a_to_b());
    if (fds[1].revents & POLLIN) read_tun(tuns_.tun_b(), link_.b_to_a());
    if (fds[2].revents & POLLIN) read_signal();
    if (fds[3].revents & (POLLIN | POLLHUP | POLLERR)) read_stdin();
  }

  void read_tun(int fd, ImpairedDirection& dir) {
    for (int i = 0; i < 256; ++i) {  // bounded, so the other side is served too
      ssize_t n = read(fd, buffer_, sizeof buffer_);
      if (n <= 0) return;
      if ((buffer_[0] >> 4) != 4) continue;  // IPv4 only (IPv6 is off in the namespaces)
      dir.enqueue(Bytes(buffer_, buffer_ + n), Clock::now());
    }
  }

  void read_signal() {
    signalfd_siginfo info;
    if (read(signals_, &info, sizeof info) != sizeof info) return;
    if (info.ssi_signo == SIGUSR1) print_counters(link_);
    else stop_ = true;
  }

  void read_stdin() {
    char chunk[4096];
    ssize_t n = read(0, chunk, sizeof chunk);
    if (n <= 0) {
      stdin_open_ = false;  // EOF: keep running until a signal
      return;
    }
    pending_.append(chunk, static_cast<size_t>(n));
    size_t nl;
    while ((nl = pending_.find('\n')) != std::string::npos) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      run_line(line);
    }
    if (pending_.size() > 4096) pending_.clear();  // no command is that long
  }

  void run_line(std::string line) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    if (line.find_first_not_of(" \t\r") == std::string::npos) return;
    std::string word = line.substr(line.find_first_not_of(" \t"));
    word = word.substr(0, word.find_first_of(" \t\r"));
    if (word == "stats") return print_counters(link_);
    if (word == "quit" || word == "exit") {
      stop_ = true;
      return;
    }
    auto cmd = parse_command(line);
    if (!cmd) {
      std::fprintf(stderr, "peercall-netsim: %s\n", cmd.error().c_str());
      return;
    }
    Instant now = Clock::now();
    link_.apply(*cmd, now);
    log_settings("stdin", now);
  }

  void log_settings(const char* source, Instant now) {
    auto state = [&](const ImpairedDirection& d) {
      return describe(d.settings()) + (d.is_down(now) ? " DOWN" : "");
    };
    std::fprintf(stderr, "peercall-netsim: %s at %.1f s: a->b %s; b->a %s\n", source,
                 to_seconds(now - start_), state(link_.a_to_b()).c_str(), state(link_.b_to_a()).c_str());
  }

  ImpairedLink& link_;
  ScheduleRunner& schedule_;
  const NetnsLink& tuns_;
  int signals_;
  Instant start_;
  bool stop_ = false;
  bool stdin_open_ = true;
  std::string pending_;
  uint8_t buffer_[65536];
};

int run_up(const UpOptions& o) {
  for (const auto& ns : {o.ns_a, o.ns_b})
    if (auto ok = check_namespace_name(ns); !ok) return usage_error(ok.error());
  if (o.ns_a == o.ns_b) return usage_error("--ns-a and --ns-b must differ");
  auto addresses = check_link_addresses(o.addr_a, o.addr_b);
  if (!addresses) return usage_error(addresses.error());
  std::vector<Command> initial;
  for (const auto& text : o.initial) {
    auto cmd = parse_command(text);
    if (!cmd) return usage_error(cmd.error());
    initial.push_back(*cmd);
  }
  std::vector<ScheduledCommand> entries;
  if (!o.schedule.empty()) {
    auto parsed = parse_schedule(o.schedule);
    if (!parsed) return usage_error(parsed.error());
    entries = std::move(*parsed);
  }
  uint64_t seed = o.seed ? *o.seed : (uint64_t{std::random_device{}()} << 32 | std::random_device{}());

  // Signals arrive through a descriptor, so teardown runs on the normal path.
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&mask, s);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // Started with & from a terminal: reading stdin then fails (EIO, treated as
  // EOF) instead of stopping the whole link.
  signal(SIGTTIN, SIG_IGN);
  int signals = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signals < 0) return std::fprintf(stderr, "peercall-netsim: signalfd: %s\n", std::strerror(errno)), 1;

  auto tuns = NetnsLink::create(NetnsPlan{o.ns_a, o.ns_b, *addresses});
  if (!tuns) {
    std::fprintf(stderr, "peercall-netsim: %s\n", tuns.error().c_str());
    return 1;
  }
  ImpairedLink link(LinkSettings{}, LinkSettings{}, seed);
  Instant start = Clock::now();
  for (const Command& cmd : initial) link.apply(cmd, start);
  ScheduleRunner schedule(std::move(entries), start);
  for (const Command& cmd : schedule.due(start)) link.apply(cmd, start);  // the "0:" entries
  std::fprintf(stderr,
               "peercall-netsim: %s (%s) <-> %s (%s), seed %llu\n  a->b %s\n  b->a %s\n",
               o.ns_a.c_str(), addresses->a.text().c_str(), o.ns_b.c_str(),
               addresses->b.text().c_str(), static_cast<unsigned long long>(seed),
               describe(link.a_to_b().settings()).c_str(), describe(link.b_to_a().settings()).c_str());
  std::printf("ready\n");
  std::fflush(stdout);

  Relay relay(link, schedule, **tuns, signals, start);
  relay.run();
  print_counters(link);
  tuns->reset();  // removes the namespaces
  close(signals);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  bool help = false;
  for (int i = 1; i < argc; ++i) help |= std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0;
  if (help || mode.empty()) {
    std::fputs(kUsage, help ? stdout : stderr);
    return help ? 0 : 2;
  }
  if (mode != "up" && mode != "down") return usage_error("the mode is up or down, not " + mode);
  UpOptions o;
  if (auto why = parse_options(argc, argv, o); !why.empty()) return usage_error(why);
  if (mode == "down") {
    auto done = remove_leftovers({o.ns_a, o.ns_b});
    if (!done) {
      std::fprintf(stderr, "peercall-netsim: %s\n", done.error().c_str());
      return 1;
    }
    return 0;
  }
  return run_up(o);
}
