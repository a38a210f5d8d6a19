package nsinfo

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"
)

// fakeDir is a ProcDir whose links are given by a map; a missing entry
// reads ENOENT, an error entry fails with that error.
type fakeDir struct {
	links map[string]any // string or error
	reads int
}

func (d *fakeDir) Readlink(name string) (string, error) {
	d.reads++
	switch v := d.links[name].(type) {
	case string:
		return v, nil
	case error:
		return "", wrap("readlink", "/proc/9/"+name, v)
	}
	return "", wrap("readlink", "/proc/9/"+name, syscall.ENOENT)
}
func (d *fakeDir) ReadFile(string, []byte) ([]byte, error) { return nil, errors.ErrUnsupported }
func (d *fakeDir) ReadDirNames(string) ([]string, error)   { return nil, errors.ErrUnsupported }
func (d *fakeDir) Owner() (uint32, error)                  { return 0, nil }
func (d *fakeDir) Close() error                            { return nil }

// allLinks are a process's links on this kernel.
func allLinks() map[string]any {
	m := map[string]any{"ns/pid_for_children": "pid:[4026531836]"}
	for i, typ := range Types {
		m["ns/"+typ.String()] = fmt.Sprintf("%s:[%d]", typ, 4026531830+i)
	}
	return m
}

func TestReadLinks(t *testing.T) {
	d := &fakeDir{links: allLinks()}
	l, err := ReadLinks(d)
	if err != nil {
		t.Fatal(err)
	}
	for i, typ := range Types {
		if got := l.NS.Get(typ); got.Ino != uint64(4026531830+i) {
			t.Errorf("%v = %v", typ, got)
		}
	}
	if l.PIDForChildren != 4026531836 {
		t.Errorf("pid_for_children = %d", l.PIDForChildren)
	}
	if d.reads != NumTypes+1 {
		t.Errorf("%d readlinks, want %d: one per link", d.reads, NumTypes+1)
	}
}

// TestReadNamespaceLinks checks that the eight links are read alone, with
// ReadLinks's values, and pid_for_children is not even asked for.
func TestReadNamespaceLinks(t *testing.T) {
	d := &fakeDir{links: allLinks()}
	l, err := ReadNamespaceLinks(d)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := ReadLinks(&fakeDir{links: allLinks()})
	if l.NS != all.NS || l.PIDForChildren != 0 {
		t.Errorf("got %+v, want %v and no pid_for_children", l, all.NS)
	}
	if d.reads != NumTypes {
		t.Errorf("%d readlinks, want %d", d.reads, NumTypes)
	}
}

func TestReadLinksOutcomes(t *testing.T) {
	type want struct {
		vanished, denied, other bool
		zero                    []string // links left 0
	}
	for _, tc := range []struct {
		name  string
		patch map[string]any // nil value: delete the link (ENOENT)
		want  want
	}{
		{"all", nil, want{}},
		{"no time (kernel < 5.6)", map[string]any{"ns/time": nil}, want{zero: []string{"time"}}},
		{"no cgroup (kernel < 4.6)", map[string]any{"ns/cgroup": nil}, want{zero: []string{"cgroup"}}},
		{"no pid_for_children yet", map[string]any{"ns/pid_for_children": nil}, want{}},
		{"pid gone: exiting", map[string]any{"ns/pid": nil}, want{vanished: true}},
		{"net gone: exiting", map[string]any{"ns/net": nil}, want{vanished: true}},
		{"ESRCH on time", map[string]any{"ns/time": syscall.ESRCH}, want{vanished: true}},
		{"one denied", map[string]any{"ns/net": syscall.EACCES}, want{denied: true, zero: []string{"net"}}},
		{"EPERM", map[string]any{"ns/user": syscall.EPERM}, want{denied: true, zero: []string{"user"}}},
		{"EINTR", map[string]any{"ns/uts": syscall.EINTR}, want{other: true, zero: []string{"uts"}}},
		{"EIO", map[string]any{"ns/ipc": syscall.EIO}, want{other: true, zero: []string{"ipc"}}},
		{"garbage text", map[string]any{"ns/mnt": "mnt:[x]"}, want{other: true, zero: []string{"mnt"}}},
		{"empty text", map[string]any{"ns/mnt": ""}, want{other: true, zero: []string{"mnt"}}},
		{"short text", map[string]any{"ns/mnt": "mnt:[40265"}, want{other: true, zero: []string{"mnt"}}},
		{"wrong type", map[string]any{"ns/ipc": "net:[5]"}, want{other: true, zero: []string{"ipc"}}},
		{"wrong pid_for_children", map[string]any{"ns/pid_for_children": "net:[5]"}, want{other: true}},
		{"denied and gone", map[string]any{"ns/net": syscall.EACCES, "ns/pid": nil}, want{vanished: true}},
		{"denied and other", map[string]any{"ns/net": syscall.EACCES, "ns/pid": "bad"}, want{other: true, zero: []string{"net", "pid"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			links := allLinks()
			for k, v := range tc.patch {
				if v == nil {
					delete(links, k)
				} else {
					links[k] = v
				}
			}
			l, err := ReadLinks(&fakeDir{links: links})
			if IsVanished(err) != tc.want.vanished || IsDenied(err) != tc.want.denied || (err != nil && !IsVanished(err) && !IsDenied(err)) != tc.want.other {
				t.Fatalf("err = %v; want vanished %v, denied %v, other %v", err, tc.want.vanished, tc.want.denied, tc.want.other)
			}
			if tc.want.vanished {
				return
			}
			for i, typ := range Types {
				zero := false
				for _, z := range tc.want.zero {
					zero = zero || z == typ.String()
				}
				if got := l.NS[i]; (got == 0) != zero {
					t.Errorf("%v = %d, want zero %v", typ, got, zero)
				}
			}
		})
	}
	// Every link denied: the process is shown with every namespace unknown.
	links := map[string]any{}
	for k := range allLinks() {
		links[k] = syscall.EACCES
	}
	l, err := ReadLinks(&fakeDir{links: links})
	if !IsDenied(err) || l != (Links{}) {
		t.Errorf("all denied: %+v, %v", l, err)
	}
	// A zombie has no links at all.
	if _, err := ReadLinks(&fakeDir{links: map[string]any{}}); !IsVanished(err) {
		t.Errorf("no links: %v, want vanished", err)
	}
}

func TestErrorKinds(t *testing.T) {
	for _, tc := range []struct {
		err              error
		vanished, denied bool
	}{
		{syscall.ENOENT, true, false},
		{syscall.ESRCH, true, false},
		{fs.ErrNotExist, true, false},
		{syscall.EACCES, false, true},
		{syscall.EPERM, false, true},
		{fs.ErrPermission, false, true},
		{syscall.EINTR, false, false},
		{syscall.EIO, false, false},
		{syscall.EINVAL, false, false},
		{errors.New("x"), false, false},
	} {
		err := wrap("read", "/proc/1/stat", tc.err)
		if IsVanished(err) != tc.vanished || IsDenied(err) != tc.denied {
			t.Errorf("%v: vanished %v denied %v, want %v %v", tc.err, IsVanished(err), IsDenied(err), tc.vanished, tc.denied)
		}
		if !errors.Is(err, tc.err) {
			t.Errorf("%v: the wrapped error does not unwrap to it", tc.err)
		}
		if want := "read /proc/1/stat: " + tc.err.Error(); err.Error() != want {
			t.Errorf("message %q, want %q", err.Error(), want)
		}
		var re *ReadError
		if !errors.As(err, &re) || re.Path != "/proc/1/stat" {
			t.Errorf("%v: not a *ReadError with the path", err)
		}
	}
	if wrap("read", "x", nil) != nil {
		t.Error("wrap(nil) must be nil")
	}
}
