#include "netns_link.hpp"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace peercall::netsim {
namespace {

std::string errno_text() { return std::strerror(errno); }

// Runs `ip ARGS...` and waits; the child gets an empty signal mask whatever ours is.
Result<Done> run_ip(std::vector<std::string> args) {
  std::vector<char*> argv;
  args.insert(args.begin(), "ip");
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid;
  int rc = posix_spawnp(&pid, "ip", nullptr, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  std::string line;
  for (size_t i = 0; i + 1 < argv.size(); ++i) line += (i ? " " : "") + args[i];
  if (rc != 0) return Error("cannot run \"" + line + "\": " + std::strerror(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return Error("\"" + line + "\" failed");
  return Done{};
}

// Enters a namespace for the lifetime of the object (this thread only).
class InNamespace {
 public:
  static Result<std::unique_ptr<InNamespace>> enter(const std::string& ns) {
    std::unique_ptr<InNamespace> in(new InNamespace);
    in->home_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (in->home_ < 0) return Error("cannot open this process's namespace: " + errno_text());
    int target = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (target < 0) return Error("cannot open namespace " + ns + ": " + errno_text());
    int rc = setns(target, CLONE_NEWNET);
    std::string why = errno_text();
    close(target);
    if (rc != 0) return Error("cannot enter namespace " + ns + ": " + why);
    in->entered_ = true;
    return in;
  }
  ~InNamespace() {
    if (entered_ && setns(home_, CLONE_NEWNET) != 0) abort();  // never run on in the wrong place
    if (home_ >= 0) close(home_);
  }

 private:
  InNamespace() = default;
  int home_ = -1;
  bool entered_ = false;
};

void write_sysctl(const std::string& path, const char* value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;  // no IPv6 in this kernel: nothing to switch off
  ssize_t ignored = write(fd, value, std::strlen(value));
  (void)ignored;
  close(fd);
}

// The interfaces of the current namespace.
std::vector<std::string> interface_names() {
  std::vector<std::string> names;
  if (struct if_nameindex* list = if_nameindex()) {
    for (auto* i = list; i->if_index != 0; ++i) names.emplace_back(i->if_name);
    if_freenameindex(list);
  }
  return names;
}

}  // namespace

bool namespace_exists(const std::string& name) {
  struct stat st;
  return stat(("/run/netns/" + name).c_str(), &st) == 0;
}

Result<std::unique_ptr<NetnsLink>> NetnsLink::create(const NetnsPlan& plan) {
  for (const auto& ns : {plan.ns_a, plan.ns_b})
    if (namespace_exists(ns))
      return Error("namespace " + ns + " already exists (a leftover? run: peercall-netsim down)");
  std::unique_ptr<NetnsLink> link(new NetnsLink);
  auto a = link->add_side(plan.ns_a, plan.addresses.a);
  if (!a) return Error(a.error());
  link->tun_a_ = *a;
  auto b = link->add_side(plan.ns_b, plan.addresses.b);
  if (!b) return Error(b.error());
  link->tun_b_ = *b;
  return link;
}

Result<int> NetnsLink::add_side(const std::string& ns, const Ipv4Prefix& address) {
  auto added = run_ip({"netns", "add", ns});
  if (!added) return Error(added.error());
  created_.push_back(ns);
  int fd = -1;
  {
    auto in = InNamespace::enter(ns);
    if (!in) return Error(in.error());
    // IPv4 only: no link-local chatter crosses the link or skews its counters.
    write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
    write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
    // A TUN device is made in the namespace of the process that opens it.
    fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return Error("cannot open /dev/net/tun: " + errno_text());
    struct ifreq ifr;
    std::memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::strncpy(ifr.ifr_name, kTunName, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
      std::string why = errno_text();
      close(fd);
      return Error("cannot make a TUN device in " + ns + ": " + why);
    }
  }
  for (std::vector<std::string> args : {
           std::vector<std::string>{"-n", ns, "link", "set", "lo", "up"},
           std::vector<std::string>{"-n", ns, "addr", "add", address.text(), "dev", kTunName},
           std::vector<std::string>{"-n", ns, "link", "set", kTunName, "up"},
       }) {
    auto done = run_ip(args);
    if (!done) {
      close(fd);
      return Error(done.error());
    }
  }
  return fd;
}

NetnsLink::~NetnsLink() {
  if (tun_a_ >= 0) close(tun_a_);
  if (tun_b_ >= 0) close(tun_b_);
  for (const auto& ns : created_) (void)run_ip({"netns", "del", ns});
}

Result<Done> remove_leftovers(const std::vector<std::string>& namespaces) {
  std::string refused;
  for (const auto& ns : namespaces) {
    if (!namespace_exists(ns)) continue;
    std::vector<std::string> foreign;
    {
      auto in = InNamespace::enter(ns);
      if (!in) return Error(in.error());
      for (auto& name : interface_names())
        if (name != "lo" && name != kTunName) foreign.push_back(name);
    }
    if (!foreign.empty()) {
      refused += (refused.empty() ? "" : "; ") + ns + " holds " + foreign.front() +
                 ", not made by peercall-netsim: left alone";
      continue;
    }
    auto del = run_ip({"netns", "del", ns});
    if (!del) return Error(del.error());
  }
  if (!refused.empty()) return Error(refused);
  return Done{};
}

}  // namespace peercall::netsim
