#!/usr/bin/env bash
# nsview against pstree, lsns and ps on an idle population over 4 nested PID
# namespaces (scripts/population), timed in the same run with hyperfine,
# output to /dev/null. Writes docs/BENCHMARKS.md. Root only.
#
#   scripts/bench.sh                       # 1,000, 5,000, 10,000 and 30,000 processes
#   scripts/bench.sh --sizes "1000 10000" --runs 5
#   scripts/bench.sh --out /tmp/b.md       # keep docs/ as it is
#   scripts/bench.sh --tui-seconds 0       # without the terminal UI run (60 s at 10,000)
#
# For each size it starts the population, checks which commands work (an
# nsview command that is missing or fails is skipped with a note), times
# them all with hyperfine (wall median), runs each a few more times under
# /usr/bin/time for the CPU time median and the peak RSS, then stops the
# population before the next size. Every process it started is ended on
# exit, Ctrl-C included. The machine is shared: compare the ratios, which
# come from one run, more than the absolute times.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

sizes="1000 5000 10000 30000"
runs=""
out="docs/BENCHMARKS.md"
tmax=3 # /usr/bin/time runs per command
tui_secs=60 # the terminal UI under load (0: not measured)...
tui_at=10000 # ...at this size
while [ $# -gt 0 ]; do
  case "$1" in
  --sizes) sizes="$2"; shift 2 ;;
  --runs) runs="$2"; shift 2 ;;
  --out) out="$2"; shift 2 ;;
  --time-runs) tmax="$2"; shift 2 ;;
  --tui-seconds) tui_secs="$2"; shift 2 ;;
  --tui-at) tui_at="$2"; shift 2 ;;
  -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {print}' "$0"; exit 0 ;;
  *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" != 0 ]; then
  echo "bench.sh: needs root (the population makes PID namespaces)" >&2
  exit 1
fi

# What it needs, from Debian's packages.
need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
command -v pstree >/dev/null || need+=(psmisc)
command -v lsns >/dev/null || need+=(util-linux)
command -v ps >/dev/null || need+=(procps)
command -v tmux >/dev/null || need+=(tmux)
if [ ${#need[@]} -gt 0 ]; then
  echo "bench.sh: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

work="$(mktemp -d)"
export NSVIEW_POPULATION_STATE="$repo/bin/bench/population.state"
# child is the command running now, if any: commands run in the background
# and are waited for (run), so that a signal reaches the trap at once
# instead of after the command, and the trap can end the command by PID.
child=""
run() {
  "$@" &
  child=$!
  local rc=0
  wait "$child" || rc=$?
  child=""
  return "$rc"
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [ -n "$child" ]; then
    # The command's own children first (hyperfine's benchmarked command).
    for c in $(ps -o pid= --ppid "$child" 2>/dev/null); do kill "$c" 2>/dev/null || true; done
    kill "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  if [ -n "${tui_sock:-}" ]; then tmux -L "$tui_sock" kill-server 2>/dev/null || true; fi
  scripts/population stop >/dev/null 2>&1 || scripts/population stop || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

go build -o bin/nsview ./cmd/nsview
nsview="$repo/bin/nsview"

# The commands: nsview's, each with its peer and the target ratio from
# issues 2 and 6 ("-" where none is set), then the peers.
nsview_cmds=(
  "tree -p|pstree -p|0.30"
  "tree --nspid|pstree -p|0.35"
  "tree -p -S|pstree -p -S|-"
  "snapshot|pstree -p|0.50"
  "ns|lsns|0.10"
  "ns -J|lsns -J|0.10"
)
peer_cmds=("pstree -p" "pstree -p -S" "lsns" "lsns -J" "ps -e -o pid,ppid,pidns,comm")

declare -A wall cpu rss peer_of target_of tui_cpu tui_rss
tui_sock=""
notes=()
measured_cmds=()
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print ""; else if (NR%2) print a[(NR+1)/2]; else printf "%.6f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# note TEXT: adds a note to the report, once.
note() {
  local x
  for x in "${notes[@]:-}"; do [ "$x" = "$1" ] && return 0; done
  notes+=("$1")
}


# tui_measure N SECONDS: runs plain `nsview` (the terminal UI) in a tmux
# server of our own for SECONDS after a 3 s start, and records the CPU it
# used meanwhile (utime+stime from /proc/PID/stat) and its peak RSS (VmHWM).
tui_measure() {
  local n="$1" secs="$2" sock="nsview-bench-$$" pid t0 t1 hwm
  tmux -L "$sock" -f /dev/null new-session -d -x 160 -y 50 "exec $nsview"
  tui_sock="$sock"
  run sleep 3
  pid="$(tmux -L "$sock" list-panes -F '#{pane_pid}' 2>/dev/null | head -1 || true)"
  if [ -z "$pid" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != nsview ]; then
    note "the terminal UI was not measured: plain \`nsview\` on a terminal did not keep running (not there yet?)"
    tmux -L "$sock" kill-server 2>/dev/null || true
    tui_sock=""
    return 0
  fi
  t0="$(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$pid/stat")"
  run sleep "$secs"
  t1="$(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$pid/stat" 2>/dev/null || echo "")"
  hwm="$(awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$pid/status" 2>/dev/null || echo "")"
  tmux -L "$sock" kill-server 2>/dev/null || true
  tui_sock=""
  if [ -z "$t1" ]; then
    note "the terminal UI exited during its $secs s under load at $n processes"
    return 0
  fi
  tui_cpu[$n]="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 100}')"
  tui_rss[$n]="$hwm"
  tui_done=1
}
# works CMD...: runs it once, output discarded; on failure notes why.
works() {
  local errf="$work/err" rc=0
  "$@" >/dev/null 2>"$errf" || rc=$?
  [ "$rc" = 0 ] && return 0
  note "\`${*#"$repo/bin/"}\` skipped: exit $rc: $(head -c 200 "$errf" | head -1)"
  return 1
}

for n in $sizes; do
  echo "== $n processes"
  run scripts/population start "$n"
  r="$runs"
  if [ -z "$r" ]; then
    if [ "$n" -le 5000 ]; then r=10; elif [ "$n" -le 10000 ]; then r=5; else r=3; fi
  fi

  cmds=() # labels as shown in the table
  argvs=()
  declare -A want_peer=()
  for spec in "${nsview_cmds[@]}"; do
    IFS='|' read -r sub peer tgt <<<"$spec"
    label="nsview $sub"
    # shellcheck disable=SC2086
    if works "$nsview" $sub; then
      cmds+=("$label"); argvs+=("$nsview $sub")
      peer_of[$label]="$peer"; target_of[$label]="$tgt"; want_peer[$peer]=1
    elif [ "$sub" = "tree -p" ] && works "$nsview" tree; then
      # Until the pstree-compatible tree lands: its placeholder.
      label="nsview tree (placeholder)"
      cmds+=("$label"); argvs+=("$nsview tree")
      peer_of[$label]="$peer"; target_of[$label]="$tgt"; want_peer[$peer]=1
      note "\`nsview tree -p\` does not exist yet: the placeholder \`nsview tree\` (NSpid and namespace links, indented list) is measured instead"
    fi
  done
  for peer in "${peer_cmds[@]}"; do
    if [ -n "${want_peer[$peer]:-}" ] || [ "${peer%% *}" = ps ]; then
      # shellcheck disable=SC2086
      if works $peer; then
        cmds+=("$peer"); argvs+=("$peer")
      fi
    fi
  done

  csv="$work/h-$n.csv"
  # Named c0, c1, ... so that the CSV's first column holds no comma.
  names=()
  for k in "${!argvs[@]}"; do
    names+=(--command-name "c$k")
    echo "c$k: ${cmds[$k]}"
  done
  # -i: lsns 2.38 exits 1 when a process vanishes during its scan, which
  # other work on a shared machine makes happen; such runs still count.
  run hyperfine -N -i --warmup 1 --runs "$r" --style basic --export-csv "$csv" "${names[@]}" "${argvs[@]}"
  mcol="$(head -1 "$csv" | tr ',' '\n' | grep -n '^median$' | cut -d: -f1)"
  while IFS=, read -r name rest; do
    k="${name#c}"
    wall[$n|${cmds[$k]}]="$(echo "$name,$rest" | cut -d, -f"$mcol")"
  done < <(tail -n +2 "$csv")

  for k in "${!argvs[@]}"; do
    tf="$work/time"
    : >"$tf"
    for _ in $(seq "$tmax"); do
      # shellcheck disable=SC2086
      run /usr/bin/time -a -o "$tf" -f '%U %S %M' ${argvs[$k]} >/dev/null 2>&1 || true
    done
    cpu[$n|${cmds[$k]}]="$(awk '{print $1+$2}' "$tf" | median)"
    rss[$n|${cmds[$k]}]="$(awk '$3>m {m=$3} END {printf "%.1f", m/1024}' "$tf")"
  done
  for c in "${cmds[@]}"; do
    found=0
    for m in "${measured_cmds[@]:-}"; do [ "$m" = "$c" ] && found=1; done
    [ $found = 1 ] || measured_cmds+=("$c")
  done
  if [ "$n" = "$tui_at" ] && [ "$tui_secs" != 0 ]; then
    echo "== the terminal UI for $tui_secs s at $n processes"
    tui_measure "$n" "$tui_secs"
  fi
  run scripts/population stop
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# The report.
fmt() { [ -n "${1:-}" ] && printf '%.3f' "$1" || printf -- '-'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }
met() { awk -v r="$1" -v t="$2" 'BEGIN { if (r == "-" || t == "-") print ""; else if (r <= t) print "yes"; else print "**no**" }'; }

first="${sizes%% *}"
last="${sizes##* }"
{
  echo "# Benchmarks"
  echo
  echo "Written by \`make bench\` (\`scripts/bench.sh --sizes \"$sizes\"${runs:+ --runs $runs}\`) on $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "Each size is an idle population over 4 nested PID namespaces (\`scripts/population start N\`);"
  echo "all commands of one size were timed in the same hyperfine run, output to /dev/null."
  echo "Wall: hyperfine's median. CPU: median of user+system over $tmax runs under /usr/bin/time; peak RSS: the largest of those."
  echo "Targets (issues 2 and 6), at 10,000 processes: the ratios in the table; peak RSS of a one-shot nsview command at most 40 MiB; nsview time from 1,000 to 10,000 processes at most 12x."
  echo "The targets are on wall time; on a shared machine whose load changes during the run, the CPU ratio is the steadier figure"
  echo "(nsview reads /proc with two threads, so on an idle 2-core machine its wall time is about half its CPU time)."
  echo
  echo "## Machine"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores |"
  echo "| memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) |"
  echo "| kernel | $(uname -r) |"
  echo "| load average (1, 5, 15 min) | before: $load_before; after: $load_after (the machine is shared) |"
  echo "| nsview | $(git describe --always --dirty 2>/dev/null || echo unknown), $(go version | cut -d' ' -f3) |"
  echo "| peers | $(pstree -V 2>&1 | head -1), $(lsns -V), $(ps -V | head -1), $(hyperfine --version) |"
  for n in $sizes; do
    echo
    echo "## $n processes"
    echo
    echo "| command | wall median (s) | CPU median (s) | peak RSS (MiB) | against | ratio (wall) | ratio (CPU) | target (wall) | met |"
    echo "|---|---:|---:|---:|---|---:|---:|---:|---|"
    for c in "${measured_cmds[@]}"; do
      [ -n "${wall[$n|$c]:-}" ] || continue
      p="${peer_of[$c]:-}"
      rt="-"
      rc="-"
      if [ -n "$p" ]; then
        rt="$(ratio "${wall[$n|$c]}" "${wall[$n|$p]:-}")"
        rc="$(ratio "${cpu[$n|$c]:-}" "${cpu[$n|$p]:-}")"
      fi
      tg="${target_of[$c]:-}"
      echo "| \`$c\` | $(fmt "${wall[$n|$c]}") | $(fmt "${cpu[$n|$c]:-}") | ${rss[$n|$c]:-} | ${p:+\`$p\`} | $rt | $rc | ${tg:--} | $(met "$rt" "${tg:--}") |"
    done
  done
  # Growth to 10,000 (the size of the 12x target) and to the largest size.
  tos="$last"
  if [[ " $sizes " == *" 10000 "* ]] && [ "$last" != 10000 ]; then tos="10000 $last"; fi
  for to in $tos; do
    [ "$first" != "$to" ] || continue
    echo
    echo "## Growth from $first to $to processes (wall medians; linear would be $((to / first))×)"
    echo
    echo "| command | $first | $to | growth | nsview target |"
    echo "|---|---:|---:|---:|---|"
    for c in "${measured_cmds[@]}"; do
      a="${wall[$first|$c]:-}"
      b="${wall[$to|$c]:-}"
      [ -n "$a" ] && [ -n "$b" ] || continue
      g="$(ratio "$b" "$a")"
      tg=""
      if [ "${c%% *}" = nsview ]; then
        lim="$(awk -v f="$first" -v l="$to" 'BEGIN {printf "%.0f", 12 * l / f / 10}')"
        tg="≤ ${lim}× $(met "$g" "$lim")"
      fi
      echo "| \`$c\` | $(fmt "$a") | $(fmt "$b") | ${g}× | $tg |"
    done
  done
  if [ -n "${tui_done:-}" ]; then
    echo
    echo "## The terminal UI under load"
    echo
    echo "Plain \`nsview\` in tmux (160x50) at its default refresh, measured for $tui_secs s after a 3 s start."
    echo
    echo "| processes | CPU in $tui_secs s | share of one core | target | met | peak RSS (MiB) |"
    echo "|---:|---:|---:|---:|---|---:|"
    for n in "${!tui_cpu[@]}"; do
      share="$(awk -v c="${tui_cpu[$n]}" -v s="$tui_secs" 'BEGIN {printf "%.3f", c / s}')"
      echo "| $n | ${tui_cpu[$n]} s | $share | 0.10 | $(met "$share" 0.10) | ${tui_rss[$n]:-} |"
    done
  fi
  if [ ${#notes[@]} -gt 0 ]; then
    echo
    echo "## Notes"
    echo
    printf -- '- %s\n' "${notes[@]}"
  fi
} >"$work/report.md"
mkdir -p "$(dirname "$out")"
cp "$work/report.md" "$out"
cat "$out"
echo "bench.sh: wrote $out"
