package spawn

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// facts is what the hints need to know about the system, read once when
// something failed; tests fill it in by hand.
type facts struct {
	// euid is the caller's effective UID.
	euid int
	// sysctl returns a sysctl's value ("user.max_user_namespaces"), and
	// false where the kernel has no such sysctl.
	sysctl func(name string) (string, bool)
	// pidLevel is how deep the caller's PID namespace is (0 on the host),
	// -1 if unknown.
	pidLevel int
	// procOvermounts are the mount points below /proc (e.g. /proc/kcore)
	// that hide parts of it.
	procOvermounts []string
}

// Settings named in errors.
const (
	settingMaxUserNS   = "user.max_user_namespaces"
	settingUsernsClone = "kernel.unprivileged_userns_clone"
	settingAppArmor    = "kernel.apparmor_restrict_unprivileged_userns"
)

// createError explains why creating the namespaces failed (clone, or
// writing the user namespace's ID maps).
func createError(err error, opts Options, f facts) *Error {
	e := &Error{Op: "create the namespaces (" + strings.Join(flagNames(opts), ", ") + ")", Err: err}
	var errno syscall.Errno
	errors.As(err, &errno)
	switch {
	case errno == syscall.EPERM && !opts.User:
		e.Setting = "--user"
		if f.euid != 0 {
			e.Hint = "creating a PID namespace needs root (CAP_SYS_ADMIN); run as root, or add --user (-U) to create a user namespace in which you are root"
		} else {
			e.Hint = "this process lacks CAP_SYS_ADMIN (a container or a seccomp filter forbids it); try --user (-U)"
		}
	case errno == syscall.EPERM:
		e.Setting, e.Hint = userNSDenied(f)
	case errno == syscall.ENOSPC || errno == syscall.EUSERS:
		e.Setting, e.Hint = limitReached(opts, f)
	case errno == syscall.EINVAL && opts.Time:
		e.Setting, e.Hint = "--time", "this kernel may lack time namespaces (Linux 5.6+); drop --time"
	case errno == syscall.EINVAL && opts.Cgroup:
		e.Setting, e.Hint = "--cgroup", "this kernel may lack cgroup namespaces (Linux 4.6+); drop --cgroup"
	}
	return e
}

// userNSDenied names the setting that forbids an unprivileged user
// namespace, checking the ones this kernel has.
func userNSDenied(f facts) (setting, hint string) {
	if v, ok := f.sysctl(settingUsernsClone); ok && strings.TrimSpace(v) == "0" {
		return settingUsernsClone, "unprivileged user namespaces are disabled: kernel.unprivileged_userns_clone is 0; enable them with 'sysctl -w kernel.unprivileged_userns_clone=1', or run as root"
	}
	if v, ok := f.sysctl(settingAppArmor); ok && strings.TrimSpace(v) != "0" {
		return settingAppArmor, "AppArmor restricts unprivileged user namespaces: kernel.apparmor_restrict_unprivileged_userns is " + strings.TrimSpace(v) + "; set it to 0 with 'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0', give nsview an AppArmor profile that allows userns, or run as root"
	}
	if v, ok := f.sysctl(settingMaxUserNS); ok && strings.TrimSpace(v) == "0" {
		return settingMaxUserNS, "user namespaces are disabled: user.max_user_namespaces is 0; raise it with 'sysctl -w user.max_user_namespaces=15000', or run as root"
	}
	return "", "user namespaces are not permitted here; check kernel.unprivileged_userns_clone (Debian), kernel.apparmor_restrict_unprivileged_userns (Ubuntu), user.max_user_namespaces, or a seccomp filter (containers often forbid user namespaces), or run as root"
}

// limitReached names the limit that made clone fail with ENOSPC (or
// EUSERS): a user.max_*_namespaces sysctl, or the nesting depth.
func limitReached(opts Options, f facts) (setting, hint string) {
	if f.pidLevel >= 0 && f.pidLevel+opts.Depth > MaxDepth {
		return "--depth", fmt.Sprintf("PID namespaces nest at most %d deep and this process is already %d deep, so --depth can be at most %d", MaxDepth, f.pidLevel, MaxDepth-f.pidLevel)
	}
	for _, t := range createdTypeNames(opts) {
		name := "user.max_" + t + "_namespaces"
		v, ok := f.sysctl(name)
		if !ok {
			continue
		}
		if strings.TrimSpace(v) == "0" {
			what := t + " namespaces are disabled"
			return name, fmt.Sprintf("%s: %s is 0; raise it with 'sysctl -w %s=15000'", what, name, name)
		}
	}
	return settingMaxUserNS, "a namespace limit was reached: see the user.max_*_namespaces sysctls (" + settingMaxUserNS + ", user.max_pid_namespaces, user.max_mnt_namespaces...), which count per user; end some namespaces or raise the limit"
}

// procMountError explains a failed mount of a new proc on /proc.
func procMountError(err error, f facts) *Error {
	e := &Error{Op: "mount a new proc on /proc", Err: err}
	var errno syscall.Errno
	if errors.As(err, &errno) && errno == syscall.EPERM {
		e.Setting = "/proc"
		masked := "parts of /proc are hidden by other mounts"
		if len(f.procOvermounts) > 0 {
			masked = "parts of /proc are hidden by mounts on " + strings.Join(f.procOvermounts, ", ")
		}
		e.Hint = masked + " (as in a container), and the kernel refuses a new proc in a user namespace unless the existing one is fully visible; run as root without --user, or from a mount namespace where /proc is not masked"
	}
	return e
}

// flagNames lists what Start creates, as nsview spawn's flags say it.
func flagNames(opts Options) []string {
	return createdTypeNames(opts)
}

// createdTypeNames lists the namespace types Start creates, user first (it
// is created first and owns the others).
func createdTypeNames(opts Options) []string {
	var names []string
	if opts.User {
		names = append(names, "user")
	}
	names = append(names, "pid", "mnt")
	if opts.UTS {
		names = append(names, "uts")
	}
	if opts.IPC {
		names = append(names, "ipc")
	}
	if opts.Net {
		names = append(names, "net")
	}
	if opts.Cgroup {
		names = append(names, "cgroup")
	}
	if opts.Time {
		names = append(names, "time")
	}
	return names
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
