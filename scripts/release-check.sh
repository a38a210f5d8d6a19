#!/usr/bin/env bash
# `make release-check`: checks .goreleaser.yaml, makes a snapshot release in
# dist/, and checks what it made: every binary is static, built with
# -trimpath for the right platform and stamped with the version; the .deb,
# unpacked with dpkg-deb -x, holds a working nsview, its man pages and its
# completions; the archives, .rpm and .apk hold the same files.
#
# Installs goreleaser (v2.15.1, from the Go module proxy) when it is missing.
# The first install compiles goreleaser and takes several minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

want=v2.15.1
gobin=$(go env GOBIN)
gobin=${gobin:-$(go env GOPATH)/bin}
goreleaser=$(command -v goreleaser || true)
if [ -z "$goreleaser" ] && [ -x "$gobin/goreleaser" ]; then
  goreleaser=$gobin/goreleaser
fi
if [ -z "$goreleaser" ] || ! "$goreleaser" --version 2>/dev/null | grep -q "GitVersion: *${want}\$"; then
  echo "release-check: installing goreleaser ${want} into ${gobin}"
  go install "github.com/goreleaser/goreleaser/v2@${want}"
  goreleaser=$gobin/goreleaser
fi

fail() { echo "release-check: FAIL: $*" >&2; exit 1; }
step() { echo "release-check: $*"; }

# GoReleaser reads the commit only when the repository has a remote; a
# checkout without one gets a remote URL for goreleaser's git commands alone
# (GIT_CONFIG_* are git's per-process configuration; nothing is written).
if ! git ls-remote --get-url >/dev/null 2>&1; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url \
    GIT_CONFIG_VALUE_0=https://github.com/nsview/nsview.git
fi

step "goreleaser check"
"$goreleaser" check

step "goreleaser release --snapshot --clean"
"$goreleaser" release --snapshot --clean

# What the release should have stamped in.
meta=dist/metadata.json
[ -f "$meta" ] || fail "no $meta"
version=$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' "$meta")
[ -n "$version" ] || fail "no version in $meta"
commit=$(git rev-parse HEAD)
[ "$(sed -n 's/.*"commit":"\([^"]*\)".*/\1/p' "$meta")" = "$commit" ] || fail "goreleaser did not read the commit: $(cat "$meta")"
step "version $version, commit $commit"

# Every binary: static, -trimpath, CGO off, Linux, stamped.
n=0
for bin in dist/nsview_linux_*/nsview; do
  n=$((n + 1))
  info=$(go version -m "$bin")
  grep -q $'\tbuild\tCGO_ENABLED=0$' <<<"$info" || fail "$bin: not built with CGO_ENABLED=0"
  grep -q $'\tbuild\t-trimpath=true$' <<<"$info" || fail "$bin: not built with -trimpath"
  grep -q $'\tbuild\tGOOS=linux$' <<<"$info" || fail "$bin: not GOOS=linux"
  # -trimpath leaves the ldflags out of the build info: look for the
  # stamped strings themselves.
  grep -qaF "$version" "$bin" || fail "$bin: version not stamped"
  grep -qaF "$commit" "$bin" || fail "$bin: commit not stamped"
  if readelf -lW "$bin" | grep -q 'INTERP\|DYNAMIC'; then
    fail "$bin: dynamically linked"
  fi
done
[ "$n" -eq 5 ] || fail "want 5 binaries (amd64 arm64 armv7 386 riscv64), got $n"
step "$n binaries: static, -trimpath, stamped"

# The .deb for this machine's architecture, unpacked, must work.
arch=$(dpkg --print-architecture)
deb=$(ls dist/nsview_*_"${arch}".deb)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
nsview=$tmp/usr/bin/nsview
[ -x "$nsview" ] || fail "$deb: no usr/bin/nsview"
out=$("$nsview" version)
grep -qx "nsview ${version}" <<<"$out" || fail "nsview version says: $out"
grep -qx "commit: ${commit}" <<<"$out" || fail "nsview version: wrong commit: $out"
grep -qE '^built: [0-9]{4}-[0-9]{2}-[0-9]{2}T' <<<"$out" || fail "nsview version: no build date: $out"
"$nsview" tree > "$tmp/tree.txt" || fail "nsview tree failed"
[ -s "$tmp/tree.txt" ] || fail "nsview tree printed nothing"
# The packaged binary is its own init: spawning re-executes it (root only).
if [ "$(id -u)" = 0 ]; then
  inside=$("$nsview" spawn -- sh -c 'echo $$' 2>/dev/null) || fail "the packaged nsview spawn failed"
  [ "$inside" = 2 ] || fail "the packaged nsview spawn: the command is PID $inside inside, want 2"
fi
step "$deb: nsview runs: $(head -1 <<<"$out")"

mandir=$tmp/usr/share/man/man1
[ -f "$mandir/nsview.1.gz" ] || fail "$deb: no nsview.1.gz"
pages=0
for page in "$mandir"/*.1.gz; do
  pages=$((pages + 1))
  # Every command's page, each rendered by man without a warning; from the
  # top of the man tree, where an alias page's ".so man1/..." is resolved.
  warnings=$(cd "$mandir/.." && MANWIDTH=80 man --warnings -l "man1/${page##*/}" 2>&1 >/dev/null || true)
  [ -z "$warnings" ] || fail "$page: $warnings"
done
MANWIDTH=80 man -l "$mandir/nsview.1.gz" | grep -q "EXIT STATUS" || fail "nsview(1) has no EXIT STATUS"
# Every command's page (the lsns alias's too), each with the command's
# examples and, for the UI, its keys.
for cmd in $("$nsview" __complete '' 2>/dev/null | grep -v '^:' | cut -f1) lsns; do
  case $cmd in help) continue ;; esac
  [ -f "$mandir/nsview-$cmd.1.gz" ] || fail "$deb: no man page for nsview $cmd"
done
for cmd in tree ns pid spawn tui snapshot; do
  text=$(cd "$mandir/.." && MANWIDTH=80 man -l "man1/nsview-$cmd.1.gz" 2>/dev/null)
  grep -q "^EXAMPLES" <<<"$text" || fail "nsview-$cmd(1) has no EXAMPLES"
  grep -q "nsview $cmd" <<<"$text" || fail "nsview-$cmd(1) has no example of nsview $cmd"
done
(cd "$mandir/.." && MANWIDTH=80 man -l man1/nsview-lsns.1.gz 2>/dev/null) | grep -q "lsns" ||
  fail "nsview-lsns(1) does not show nsview ns's page"
(cd "$mandir/.." && MANWIDTH=80 man -l man1/nsview-tui.1.gz 2>/dev/null) | grep -q "end sandbox" ||
  fail "nsview-tui(1) does not list the UI's keys"
step "$deb: $pages man pages"

bashc=$tmp/usr/share/bash-completion/completions/nsview
zshc=$tmp/usr/share/zsh/vendor-completions/_nsview
fishc=$tmp/usr/share/fish/vendor_completions.d/nsview.fish
for f in "$bashc" "$zshc" "$fishc"; do
  [ -s "$f" ] || fail "$deb: no ${f#"$tmp"}"
done
bash -n "$bashc" || fail "bash completion does not parse"
if command -v zsh >/dev/null; then zsh -n "$zshc" || fail "zsh completion does not parse"; fi
# The packaged bash completion, driven as bash drives it (with the
# bash-completion package's helpers, as distributions set it up), with the
# packaged binary on PATH.
[ -f /usr/share/bash-completion/bash_completion ] ||
  fail "the bash-completion package is needed to check the bash completion (apt-get install bash-completion)"
got=$(PATH="$tmp/usr/bin:$PATH" bash -c '
  source /usr/share/bash-completion/bash_completion
  source "$1"
  COMP_WORDS=(nsview completion "")
  COMP_CWORD=2
  COMP_LINE="nsview completion "
  COMP_POINT=${#COMP_LINE}
  __start_nsview 2>/dev/null  # compopt complains outside a real TAB
  printf "%s\n" "${COMPREPLY[@]}"' _ "$bashc")
[ "$(sort <<<"$got" | tr '\n' ' ')" = "bash fish zsh " ] || fail "bash completion of 'nsview completion ': $got"
step "$deb: bash, zsh and fish completions"

# The other packages and the archives hold the same files.
for a in dist/nsview_*.tar.gz; do
  list=$(tar -tzf "$a")
  for f in nsview README.md LICENSE completions/nsview.bash completions/_nsview completions/nsview.fish manpages/nsview.1.gz; do
    grep -qx "$f" <<<"$list" || fail "$a: no $f"
  done
done
step "$(ls dist/nsview_*.tar.gz | wc -l) archives: binary, README, LICENSE, completions, man pages"
for apk in dist/nsview_*.apk; do
  # An apk is gzipped tar streams, one after the other.
  list=$(tar --ignore-zeros -tzf "$apk" 2>/dev/null)
  for f in usr/bin/nsview usr/share/man/man1/nsview.1.gz usr/share/zsh/site-functions/_nsview; do
    grep -qx "$f" <<<"$list" || fail "$apk: no $f"
  done
done
rpms=$(ls dist/*.rpm | wc -l)
[ "$rpms" -eq 5 ] || fail "want 5 rpms, got $rpms"
if command -v rpm >/dev/null; then
  for r in dist/*.rpm; do
    rpm -qlp "$r" | grep -qx /usr/share/man/man1/nsview.1.gz || fail "$r: no man page"
  done
fi
(cd dist && sha256sum --quiet -c checksums.txt) || fail "checksums.txt does not match"
step "checksums match"

# A snapshot has no changelog: release a throwaway clone, tagged at its
# first commit and at HEAD, without publishing, packaging or signing.
clone=$(mktemp -d)
trap 'rm -rf "$tmp" "$clone"' EXIT
git clone -q . "$clone/nsview"
(
  cd "$clone/nsview"
  git tag v0.0.0-check "$(git rev-list --max-parents=0 HEAD | tail -1)"
  git tag v0.0.1-check HEAD
  "$goreleaser" release --clean --skip=publish,announce,validate,archive,nfpm,sign,sbom >"$clone/log" 2>&1 ||
    { cat "$clone/log"; exit 1; }
) || fail "goreleaser release of a tagged clone failed"
changelog=$clone/nsview/dist/CHANGELOG.md
grep -q '^## Changelog' "$changelog" && grep -q '^\* [0-9a-f]\{7\} ' "$changelog" ||
  fail "no changelog: $(cat "$changelog")"
step "changelog of a tagged clone: $(grep -c '^\* ' "$changelog") entries in $(grep -c '^### ' "$changelog") groups"

step "OK: artifacts in dist/:"
ls -1 dist | grep -E '\.(tar\.gz|deb|rpm|apk|txt)$' | sed 's/^/  /'
