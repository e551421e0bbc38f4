#include "link_settings.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace peercall::netsim {
namespace {

// A finite, non-negative decimal number followed by an optional unit suffix.
struct Number {
  double value = 0;
  std::string_view unit;
};

Result<Number> split_number(std::string_view text) {
  Number n;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n.value);
  if (ec != std::errc() || end == text.data() || !std::isfinite(n.value) || n.value < 0)
    return Error("not a non-negative number: \"" + std::string(text) + "\"");
  n.unit = text.substr(static_cast<size_t>(end - text.data()));
  return n;
}

bool equals_lower(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

Result<bool> parse_flag(std::string_view text) {
  if (text == "on" || text == "yes" || text == "1" || text == "true") return true;
  if (text == "off" || text == "no" || text == "0" || text == "false") return false;
  return Error("not on/off: \"" + std::string(text) + "\"");
}

// "P_GB/P_BG/LOSS_BAD/LOSS_GOOD", each a percent.
Result<GilbertElliottParams> parse_gilbert(std::string_view text) {
  double v[4];
  for (int i = 0; i < 4; ++i) {
    size_t slash = text.find('/');
    if ((slash == std::string_view::npos) != (i == 3))
      return Error("gilbert wants p_good_to_bad/p_bad_to_good/loss_in_bad/loss_in_good");
    auto p = parse_percent(text.substr(0, slash));
    if (!p) return Error(p.error());
    v[i] = *p;
    if (slash != std::string_view::npos) text.remove_prefix(slash + 1);
  }
  if (v[1] <= 0) return Error("gilbert: p_bad_to_good must be above 0");
  return GilbertElliottParams{v[0], v[1], v[2], v[3]};
}

std::string ms_text(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%gms", to_micros(d) / 1000.0);
  return buf;
}

}  // namespace

Result<GilbertElliottParams> bursts_of(double loss, double mean_burst) {
  if (loss <= 0 || loss >= 1) return Error("burst: the loss must be between 0% and 100%");
  if (mean_burst < 1) return Error("burst: the mean burst length must be at least 1 packet");
  // Stationary P(bad) = p / (p + r) = loss, with r = 1 / mean_burst.
  double r = 1 / mean_burst;
  double p = loss * r / (1 - loss);
  if (p > 1) return Error("burst: that loss cannot be reached with bursts that short");
  return GilbertElliottParams{p, r, 1.0, 0.0};
}

Result<Duration> parse_duration(std::string_view text) {
  auto n = split_number(text);
  if (!n) return Error("duration: " + n.error());
  double us;
  if (n->unit.empty() || n->unit == "ms") us = n->value * 1e3;
  else if (n->unit == "s") us = n->value * 1e6;
  else if (n->unit == "us") us = n->value;
  else return Error("duration: unknown unit \"" + std::string(n->unit) + "\" (ms, s, us)");
  if (us > 1e12) return Error("duration: too long");
  return Duration(microseconds(std::llround(us)));
}

Result<double> parse_percent(std::string_view text) {
  auto n = split_number(text);
  if (!n) return Error("percent: " + n.error());
  if (!n->unit.empty() && n->unit != "%")
    return Error("percent: unexpected \"" + std::string(n->unit) + "\"");
  if (n->value > 100) return Error("percent: above 100%");
  return n->value / 100;
}

Result<int64_t> parse_rate(std::string_view text) {
  if (text == "off") return int64_t{0};
  auto n = split_number(text);
  if (!n) return Error("rate: " + n.error());
  double kbps;
  if (n->unit.empty() || equals_lower(n->unit, "kbit")) kbps = n->value;
  else if (equals_lower(n->unit, "mbit")) kbps = n->value * 1000;
  else return Error("rate: unknown unit \"" + std::string(n->unit) + "\" (kbit, mbit)");
  if (kbps > 100e6) return Error("rate: above 100 Gbit/s");
  if (kbps > 0 && kbps < 1) return Error("rate: below 1 kbit/s");
  return static_cast<int64_t>(std::llround(kbps));
}

Result<QueueLimit> parse_queue(std::string_view text) {
  auto n = split_number(text);
  if (!n) return Error("queue: " + n.error());
  QueueLimit q;
  if (n->unit == "ms" || n->unit == "s" || n->unit == "us") {
    auto d = parse_duration(text);
    if (!d) return Error(d.error());
    q.by_time = true;
    q.time = *d;
    return q;
  }
  double bytes;
  if (n->unit.empty() || n->unit == "b" || n->unit == "B") bytes = n->value;
  else if (equals_lower(n->unit, "kb")) bytes = n->value * 1000;
  else if (equals_lower(n->unit, "mb")) bytes = n->value * 1e6;
  else return Error("queue: unknown unit \"" + std::string(n->unit) + "\" (ms, s, B, kB, MB)");
  if (bytes < 1 || bytes > 1e10) return Error("queue: size out of range");
  q.bytes = static_cast<int64_t>(std::llround(bytes));
  return q;
}

Result<Change> parse_change(std::string_view word) {
  size_t eq = word.find('=');
  std::string_view key = word.substr(0, eq);
  std::string_view value = eq == std::string_view::npos ? std::string_view() : word.substr(eq + 1);
  bool has_value = eq != std::string_view::npos;
  auto fail = [&](const std::string& why) { return Error(std::string(key) + ": " + why); };
  Change c;
  using K = Change::Key;
  if (key == "up" && !has_value) {
    c.key = K::up;
    return c;
  }
  if (key == "down") {
    c.key = K::down;
    if (!has_value) {
      c.forever = true;
      return c;
    }
    auto d = parse_duration(value);
    if (!d) return fail(d.error());
    c.duration = *d;
    return c;
  }
  if (key == "reorder" && !has_value) {
    c.key = K::reorder;
    c.flag = true;
    return c;
  }
  if (!has_value) return Error("\"" + std::string(word) + "\" is not KEY=VALUE");
  if (key == "delay" || key == "jitter") {
    auto d = parse_duration(value);
    if (!d) return fail(d.error());
    c.key = key == "delay" ? K::delay : K::jitter;
    c.duration = *d;
  } else if (key == "dist" || key == "distribution") {
    c.key = K::distribution;
    if (value == "uniform") c.distribution = JitterDistribution::uniform;
    else if (value == "normal") c.distribution = JitterDistribution::normal;
    else return fail("uniform or normal");
  } else if (key == "reorder") {
    auto f = parse_flag(value);
    if (!f) return fail(f.error());
    c.key = K::reorder;
    c.flag = *f;
  } else if (key == "loss") {
    auto p = parse_percent(value);
    if (!p) return fail(p.error());
    c.key = K::loss;
    c.fraction = *p;
  } else if (key == "burst") {
    c.key = K::bursty;
    if (value == "off") return c;  // default params: disabled
    size_t slash = value.find('/');
    if (slash == std::string_view::npos) return fail("LOSS%/MEAN_BURST, e.g. burst=20%/3");
    auto p = parse_percent(value.substr(0, slash));
    if (!p) return fail(p.error());
    auto len = split_number(value.substr(slash + 1));
    if (!len || !len->unit.empty()) return fail("the mean burst is a number of packets");
    auto ge = bursts_of(*p, len->value);
    if (!ge) return Error(ge.error());
    c.bursty = *ge;
  } else if (key == "gilbert") {
    c.key = K::bursty;
    if (value == "off") return c;
    auto ge = parse_gilbert(value);
    if (!ge) return fail(ge.error());
    c.bursty = *ge;
  } else if (key == "rate") {
    auto r = parse_rate(value);
    if (!r) return fail(r.error());
    c.key = K::rate;
    c.rate_kbps = *r;
  } else if (key == "queue") {
    auto q = parse_queue(value);
    if (!q) return fail(q.error());
    c.key = K::queue;
    c.queue = *q;
  } else {
    return Error("unknown setting \"" + std::string(key) +
                 "\" (delay jitter dist reorder loss burst gilbert rate queue down up)");
  }
  return c;
}

void apply_setting(LinkSettings& s, const Change& c) {
  using K = Change::Key;
  switch (c.key) {
    case K::delay: s.delay = c.duration; break;
    case K::jitter: s.jitter = c.duration; break;
    case K::distribution: s.distribution = c.distribution; break;
    case K::reorder: s.reorder = c.flag; break;
    case K::loss: s.loss = c.fraction; break;
    case K::bursty: s.bursty = c.bursty; break;
    case K::rate: s.rate_kbps = c.rate_kbps; break;
    case K::queue: s.queue = c.queue; break;
    case K::down:
    case K::up: break;  // outages are the direction's state, not a setting
  }
}

std::string describe(const LinkSettings& s) {
  std::string out = "delay=" + ms_text(s.delay);
  if (s.jitter.count() > 0) {
    out += " jitter=" + ms_text(s.jitter);
    out += s.distribution == JitterDistribution::normal ? " dist=normal" : " dist=uniform";
    out += s.reorder ? " reorder=on" : " reorder=off";
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, " loss=%g%%", s.loss * 100);
  out += buf;
  if (s.bursty.enabled()) {
    std::snprintf(buf, sizeof buf, " gilbert=%g%%/%g%%/%g%%/%g%%", s.bursty.p_good_to_bad * 100,
                  s.bursty.p_bad_to_good * 100, s.bursty.loss_in_bad * 100,
                  s.bursty.loss_in_good * 100);
    out += buf;
  }
  if (s.rate_kbps > 0) {
    out += " rate=" + std::to_string(s.rate_kbps) + "kbit";
    out += s.queue.by_time ? " queue=" + ms_text(s.queue.time)
                           : " queue=" + std::to_string(s.queue.bytes) + "B";
  } else {
    out += " rate=off";
  }
  return out;
}

}  // namespace peercall::netsim
