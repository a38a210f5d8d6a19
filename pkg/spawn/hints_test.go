package spawn

import (
	"errors"
	"strings"
	"syscall"
	"testing"
)

// Each way the system can refuse gives a message that names the setting
// to change; the sysctls that only some kernels have are faked here (the
// real cases run in cmd/nsview's tests).
func TestHints(t *testing.T) {
	sysctls := func(kv ...string) func(string) (string, bool) {
		return func(name string) (string, bool) {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == name {
					return kv[i+1], true
				}
			}
			return "", false
		}
	}
	for _, tc := range []struct {
		name    string
		err     error
		opts    Options
		facts   facts
		setting string
		words   []string
	}{
		{"not root, no --user", syscall.EPERM, Options{Depth: 1}, facts{euid: 65534, sysctl: sysctls(), pidLevel: 0},
			"--user", []string{"needs root", "--user"}},
		{"root without CAP_SYS_ADMIN", syscall.EPERM, Options{Depth: 1}, facts{euid: 0, sysctl: sysctls(), pidLevel: 0},
			"--user", []string{"CAP_SYS_ADMIN", "--user"}},
		{"Debian's switch", syscall.EPERM, Options{Depth: 1, User: true}, facts{euid: 1000, sysctl: sysctls("kernel.unprivileged_userns_clone", "0"), pidLevel: 0},
			"kernel.unprivileged_userns_clone", []string{"kernel.unprivileged_userns_clone", "=1"}},
		{"Ubuntu's AppArmor", syscall.EPERM, Options{Depth: 1, User: true}, facts{euid: 1000, sysctl: sysctls("kernel.apparmor_restrict_unprivileged_userns", "1"), pidLevel: 0},
			"kernel.apparmor_restrict_unprivileged_userns", []string{"kernel.apparmor_restrict_unprivileged_userns", "AppArmor"}},
		{"userns forbidden, reason unknown", syscall.EPERM, Options{Depth: 1, User: true}, facts{euid: 1000, sysctl: sysctls("user.max_user_namespaces", "100"), pidLevel: 0},
			"", []string{"kernel.unprivileged_userns_clone", "kernel.apparmor_restrict_unprivileged_userns", "user.max_user_namespaces"}},
		{"max_user_namespaces 0", syscall.ENOSPC, Options{Depth: 1, User: true}, facts{euid: 1000, sysctl: sysctls("user.max_user_namespaces", "0"), pidLevel: 0},
			"user.max_user_namespaces", []string{"user.max_user_namespaces is 0"}},
		{"max_pid_namespaces 0", syscall.ENOSPC, Options{Depth: 1}, facts{euid: 0, sysctl: sysctls("user.max_pid_namespaces", "0"), pidLevel: 0},
			"user.max_pid_namespaces", []string{"user.max_pid_namespaces is 0"}},
		{"too deep", syscall.ENOSPC, Options{Depth: 5}, facts{euid: 0, sysctl: sysctls(), pidLevel: 30},
			"--depth", []string{"at most 32 deep", "at most 2"}},
		{"a limit reached", syscall.ENOSPC, Options{Depth: 1, User: true}, facts{euid: 0, sysctl: sysctls("user.max_user_namespaces", "5"), pidLevel: 0},
			"user.max_user_namespaces", []string{"limit was reached"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := createError(tc.err, tc.opts, tc.facts)
			if e.Setting != tc.setting {
				t.Errorf("setting %q, want %q", e.Setting, tc.setting)
			}
			for _, w := range tc.words {
				if !strings.Contains(e.Error(), w) {
					t.Errorf("message %q lacks %q", e.Error(), w)
				}
			}
			if !errors.Is(e, tc.err) {
				t.Errorf("%v does not wrap %v", e, tc.err)
			}
		})
	}

	e := procMountError(syscall.EPERM, facts{procOvermounts: []string{"/proc/kcore", "/proc/sys"}})
	if e.Setting != "/proc" || !strings.Contains(e.Error(), "/proc/kcore, /proc/sys") || !strings.Contains(e.Error(), "--user") {
		t.Errorf("masked /proc: %q (setting %q)", e.Error(), e.Setting)
	}
}

// An *Error crosses the report socket intact.
func TestWireError(t *testing.T) {
	in := &Error{Op: "mount a new proc on /proc", Err: syscall.EPERM, Setting: "/proc", Hint: "h"}
	out := toWire(in).toError()
	if out.Error() != in.Error() || !errors.Is(out, syscall.EPERM) || out.Setting != "/proc" {
		t.Errorf("got %v (%q), want %v", out, out.Setting, in)
	}
	nc := toWire(&Error{Op: "find the command x", Err: noCommand{syscall.ENOENT}}).toError()
	if !errors.Is(nc, ErrNoCommand) || !errors.Is(nc, syscall.ENOENT) || strings.Count(nc.Error(), "no such file") != 1 {
		t.Errorf("no command: %v", nc)
	}
}

func TestUnescapeMount(t *testing.T) {
	for in, want := range map[string]string{`/a\040b`: "/a b", `/x\`: `/x\`, `/p\134q`: `/p\q`, `/plain`: "/plain"} {
		if got := unescapeMount(in); got != want {
			t.Errorf("unescapeMount(%q) = %q, want %q", in, got, want)
		}
	}
}
