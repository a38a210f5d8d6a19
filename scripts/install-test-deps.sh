#!/usr/bin/env bash
# Installs the programs nsview's tests compare against or drive: pstree
# (psmisc), lsns/unshare/nsenter/setpriv (util-linux), ps (procps), tmux,
# man and groff, bash-completion.
# Needs root and Debian's apt; does nothing when all are present.
set -euo pipefail
need=()
command -v pstree  >/dev/null || need+=(psmisc)
command -v lsns    >/dev/null || need+=(util-linux)
command -v setpriv >/dev/null || need+=(util-linux)
command -v ps      >/dev/null || need+=(procps)
command -v tmux    >/dev/null || need+=(tmux)
command -v ip      >/dev/null || need+=(iproute2)
# For the release tests: man pages rendered with man and groff, the bash
# completion script driven in bash.
command -v man     >/dev/null || need+=(man-db)
command -v groff   >/dev/null || need+=(groff-base)
[ -f /usr/share/bash-completion/bash_completion ] || need+=(bash-completion)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-test-deps: missing ${need[*]}; install them (Debian: apt-get install ${need[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
