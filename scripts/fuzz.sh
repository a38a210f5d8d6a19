#!/usr/bin/env bash
# Runs every fuzz target of the module for SECONDS each (default 5):
#   scripts/fuzz.sh 5      CI's short budget (.ci/run)
#   scripts/fuzz.sh 300    a longer hunt (make fuzz)
# A target fails when it finds an input that breaks it (go test writes the
# input to the package's testdata/fuzz/TARGET/, to be committed as a
# regression seed). Go 1.26's fuzz coordinator can also report a bare
# "context deadline exceeded" when -fuzztime ends under CPU starvation,
# without any failing input (golang/go#75804, fixed in Go 1.27): that is
# reported as a flake and not counted as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
case $secs in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac

fail=0 flakes=0 ran=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
  for t in $targets; do
    ran=$((ran + 1))
    corpus="$dir/testdata/fuzz/$t"
    before=$(ls "$corpus" 2>/dev/null | sort)
    out=$(go test "$pkg" -run '^$' -fuzz "^$t\$" -fuzztime "${secs}s" 2>&1)
    rc=$?
    after=$(ls "$corpus" 2>/dev/null | sort)
    if [ $rc -eq 0 ]; then
      echo "ok    $pkg $t (${secs}s)"
    elif [ "$before" = "$after" ] && grep -q 'context deadline exceeded' <<<"$out" && ! grep -q -e 'Failing input written' -e 'panic:' <<<"$out"; then
      flakes=$((flakes + 1))
      echo "flake $pkg $t: context deadline exceeded at the end of -fuzztime, no failing input (golang/go#75804)"
    else
      fail=1
      echo "FAIL  $pkg $t"
      echo "$out" | tail -30
      comm -13 <(echo "$before") <(echo "$after") | sed "s|^|  new failing input: $corpus/|"
    fi
  done
done
echo "fuzz: $ran targets, ${secs}s each, $flakes flake(s)"
if [ $ran -eq 0 ]; then
  echo "fuzz: no fuzz target found" >&2
  exit 1
fi
exit $fail
