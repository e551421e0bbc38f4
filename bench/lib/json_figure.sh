# f FILE KEY [DIGITS]: a figure from a JSON object, rounded (to DIGITS
# places, default a whole number); - if missing. Sourced by the benches.
f() {
  /usr/bin/python3 -c "
import json
try:
    v = json.load(open('$1'))['$2']
    print('-' if v is None else round(v, ${3:-0}) if ${3:-0} else int(round(v)))
except Exception: print('-')"
}
