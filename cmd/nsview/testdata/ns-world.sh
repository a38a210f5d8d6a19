#!/bin/bash
# Builds a small world of namespaces and runs lsns and nsview on it.
#
# Runs as PID 1 of a new PID namespace with its own /proc and a private
# mount namespace (unshare --pid --fork --mount-proc), so that lsns and
# nsview see exactly the same processes, and so that everything it makes
# ends with it: when PID 1 exits the kernel kills every process here, and
# the mount namespace (holding the bind mount) goes away.
#
#   ns-world.sh OUTDIR NSVIEW
set -u
OUT=$1 NSVIEW=$2
export LANG=C.UTF-8
unset LC_ALL LC_CTYPE COLUMNS

die() { echo "ns-world: $*" >&2; exit 1; }
# wait_for CONDITION: poll with a 10 s deadline.
wait_for() {
	for _ in $(seq 1 400); do
		eval "$1" && return 0
		sleep 0.025
	done
	die "timed out waiting for: $1"
}
child_of() { pgrep -P "$1" | head -n1; }
comm_is() { [ -n "$1" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]; }

D=$OUT/mnt
mkdir -p "$D"
mount -t tmpfs nsview-test "$D" || die "mount tmpfs"

# Three nested PID levels below this one: N0 (here) -> N1 -> N2.
unshare --pid --fork --mount-proc unshare --pid --fork --mount-proc sleep 1000 &
N0=$!
wait_for 'N1=$(child_of $N0); comm_is "$N1" unshare'
wait_for 'N2=$(child_of $N1); comm_is "$N2" sleep'

# A network namespace held only by a bind mount.
touch "$D/netA"
unshare --net="$D/netA" true || die "unshare --net=FILE"

# A network namespace held only by an open fd of another process.
unshare --net sleep 1000 &
NETP=$!
wait_for 'comm_is $NETP sleep && [ "$(readlink /proc/$NETP/ns/net)" != "$(readlink /proc/self/ns/net)" ]'
bash -c 'exec 7<"/proc/$1/ns/net"; exec sleep 1000' _ "$NETP" &
HOLDER=$!
wait_for 'comm_is $HOLDER sleep'
kill "$NETP"; wait "$NETP" 2>/dev/null

# A PID namespace held only by an fd, whose parent no process is in any
# more: the parent is found only through NS_GET_PARENT.
unshare --pid --fork unshare --pid --fork sleep 1000 &
X0=$!
wait_for 'X1=$(child_of $X0); comm_is "$X1" unshare'
wait_for 'X2=$(child_of $X1); comm_is "$X2" sleep'
bash -c 'exec 8<"/proc/$1/ns/pid"; exec sleep 1000' _ "$X2" &
PHOLDER=$!
wait_for 'comm_is $PHOLDER sleep'
kill -KILL "$X1"
wait_for '! [ -e /proc/$X2 ]'
wait "$X0" 2>/dev/null

{
	echo "bindnet=$(stat -L -c %i "$D/netA")"
	echo "bindpath=$D/netA"
	echo "fdnet=$(readlink "/proc/$HOLDER/fd/7")"
	echo "holder=$HOLDER"
	echo "deadpid=$(readlink "/proc/$PHOLDER/fd/8")"
	echo "pholder=$PHOLDER"
	echo "n1=$N1"
	echo "n2=$N2"
	echo "nest1=$(readlink "/proc/$N1/ns/pid")"
	echo "nest2=$(readlink "/proc/$N2/ns/pid")"
	echo "netns_self=$(readlink /proc/self/ns/net)"
} > "$OUT/facts"

# run NAME ARGS...: lsns ARGS and nsview ns --processes-only ARGS.
run() {
	local name=$1
	shift
	lsns "$@" > "$OUT/$name.lsns" 2>&1
	echo $? > "$OUT/$name.lsns.rc"
	"$NSVIEW" ns --processes-only "$@" > "$OUT/$name.nsview" 2> "$OUT/$name.nsview.err"
	echo $? > "$OUT/$name.nsview.rc"
}
run default
run json -J
run list -l
run listjson -J -l
run raw -r
run noheadings -n
run columns -l -o NS,TYPE,NPROCS,PID,PPID,PNS,ONS
run columnsjson -J -l -o NS,TYPE,NPROCS,PID,PPID,PNS,ONS
run all -l --output-all
run alljson -J --output-all
run plus -o +PATH,PPID
run net -t net
run netjson -t net -J
run netraw -t net -r
run pidtree -t pid --tree=parent
run owner --tree=owner
run task -p "$N2"
run nsarg "$(readlink /proc/$N1/ns/pid | tr -dc 0-9)"
run nsargjson -J "$(readlink /proc/$N1/ns/mnt | tr -dc 0-9)"

"$NSVIEW" ns --processes-only -t pid -T parent > "$OUT/pidtree-T.nsview" 2>&1
"$NSVIEW" ns -J -l -o +PNS,FOUND,NSFS,NETNSID,KERNELID > "$OUT/discovered.json" 2> "$OUT/discovered.err"
echo $? > "$OUT/discovered.rc"
"$NSVIEW" ns -l -o NS,TYPE,NPROCS,FOUND > "$OUT/discovered.txt" 2>&1
exit 0
