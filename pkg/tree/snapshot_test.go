package tree

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nsview/nsview/pkg/nsinfo"
)

func roundTrip(t testing.TB, s *Snapshot) *Snapshot {
	t.Helper()
	var b bytes.Buffer
	if err := s.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(b.Bytes()) {
		t.Fatal("snapshot JSON is not valid UTF-8")
	}
	back, err := ReadSnapshot(&b)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// sameSnapshot compares the exported data of two snapshots.
func sameSnapshot(t testing.TB, got, want *Snapshot) {
	t.Helper()
	if !reflect.DeepEqual(got.Processes, want.Processes) {
		for i := range want.Processes {
			if i >= len(got.Processes) || !reflect.DeepEqual(got.Processes[i], want.Processes[i]) {
				var g Process
				if i < len(got.Processes) {
					g = got.Processes[i]
				}
				t.Fatalf("process %d:\n got %+v\nwant %+v", i, g, want.Processes[i])
			}
		}
		t.Fatalf("%d processes, want %d", len(got.Processes), len(want.Processes))
	}
	if !reflect.DeepEqual(got.Namespaces, want.Namespaces) {
		t.Fatalf("namespaces:\n got %+v\nwant %+v", got.Namespaces, want.Namespaces)
	}
	g, w := *got, *want
	g.Processes, w.Processes, g.Namespaces, w.Namespaces = nil, nil, nil, nil
	g.byPID, w.byPID, g.byNS, w.byNS, g.inferredParent, w.inferredParent, g.pidNS, w.pidNS = nil, nil, nil, nil, nil, nil, nil, nil
	if !g.Taken.Equal(w.Taken) || !g.BootTime.Equal(w.BootTime) {
		t.Fatalf("times: %v %v, want %v %v", g.Taken, g.BootTime, w.Taken, w.BootTime)
	}
	g.Taken, w.Taken, g.BootTime, w.BootTime = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("snapshot:\n got %+v\nwant %+v", g, w)
	}
}

func TestJSONRoundTripFixtures(t *testing.T) {
	for _, name := range []string{"proc-hard", "proc-nested", "proc-hidepid"} {
		s, _ := scanFixture(t, name, Everything())
		s.Warnings = []string{"a warning"}
		s.Unreadable = Unreadable{Vanished: 1, Denied: 2, Hidden: 3, Failed: 4, Errors: []string{"read x: boom"}}
		sameSnapshot(t, roundTrip(t, s), s)
	}
}

// Names are whatever bytes a process chose: every one of the 256 byte
// values round-trips exactly, alone and together, in every string field
// that holds a name.
func TestJSONAllBytes(t *testing.T) {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	s := &Snapshot{Schema: SchemaVersion, Taken: time.Unix(1, 0).UTC()}
	for c := range 256 {
		one := string([]byte{byte(c)})
		s.Processes = append(s.Processes, Process{
			PID: 1000 + c, PPID: 1, Comm: one, Cmdline: []string{one, "x" + one + "y", ""},
			Threads: []Thread{{TID: 5000 + c, Comm: one}}, Cgroup: "/" + one, NSpid: []int{1000 + c},
			CgroupPaths: []string{"/a", "/" + one},
		})
		s.Namespaces = append(s.Namespaces, Namespace{Type: nsinfo.Mount, Ino: uint64(1 + c), OwnerUID: -1,
			Mounts: []NSMount{{Path: "/run/" + one, MntNS: 5}, {Path: "/ok", MntNS: 5}}})
	}
	s.Processes = append(s.Processes, Process{
		PID: 1, Comm: string(all), Cmdline: []string{string(all), string(all[128:]), "ok"},
		Threads: []Thread{{TID: 2, Comm: string(all[:16])}, {TID: 3, Comm: "plain"}}, Cgroup: string(all),
		NSpid: []int{1}, NS: nsinfo.Set{1, 2, 3, 4, 5, 6, 7, 8},
	}, Process{PID: 2, Comm: "\xff", Cmdline: nil}, Process{PID: 3, Comm: "\ufffd", Cmdline: []string{}})
	s.Sort()
	back := roundTrip(t, s)
	sameSnapshot(t, back, s)
	// nil and empty command lines stay apart: "not read" and "kernel thread".
	if p, _ := back.Proc(2); p.Cmdline != nil {
		t.Error("a nil command line came back non-nil")
	}
	if p, _ := back.Proc(3); p.Cmdline == nil || p.Comm != "\ufffd" {
		t.Errorf("process 3: %+v", p)
	}
	// "\xff" and "\ufffd" must not collide.
	a, _ := back.Proc(2)
	b, _ := back.Proc(3)
	if a.Comm == b.Comm {
		t.Error("two names collided")
	}
}

func TestJSONForm(t *testing.T) {
	s := &Snapshot{Schema: SchemaVersion, Processes: []Process{
		{PID: 1, Comm: "init", NSpid: []int{1}, NS: nsinfo.Set{0, 0, 0, 0, 4026531836}},
		{PID: 2, Comm: "\xffx", Cmdline: []string{"a", "\xfe"}, Cgroup: "/\x80"},
	}}
	var b bytes.Buffer
	if err := s.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Processes []map[string]any `json:"processes"`
	}
	if err := json.Unmarshal(b.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	p1, p2 := raw.Processes[0], raw.Processes[1]
	ns := p1["ns"].(map[string]any)
	if ns["pid"] != 4026531836.0 || ns["net"] != nil || len(ns) != 8 {
		t.Errorf("ns = %v: want every type, null where unknown", ns)
	}
	if _, ok := p1["comm_b64"]; ok {
		t.Error("a valid name needs no comm_b64")
	}
	if p1["cmdline"] != nil || p1["nspid"] == nil {
		t.Errorf("cmdline %v nspid %v", p1["cmdline"], p1["nspid"])
	}
	if p2["comm"] != "\ufffdx" || p2["comm_b64"] != "/3g=" || p2["cgroup_b64"] != "L4A=" {
		t.Errorf("process 2: %v", p2)
	}
	if c := p2["cmdline_b64"].([]any); len(c) != 2 || c[0] != "YQ==" || c[1] != "/g==" {
		t.Errorf("cmdline_b64 %v", c)
	}
	if p2["nspid"] != nil {
		t.Errorf("unknown NSpid must be null: %v", p2["nspid"])
	}
}

func TestReadSnapshotRejects(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		want       error
	}{
		{"not JSON", `{`, nil},
		{"wrong schema", `{"schema":2}`, ErrSchema},
		{"no schema", `{}`, ErrSchema},
		{"PID 0", `{"schema":1,"processes":[{"pid":0}]}`, ErrInvalid},
		{"twice", `{"schema":1,"processes":[{"pid":5},{"pid":5}]}`, ErrInvalid},
		{"negative PPID", `{"schema":1,"processes":[{"pid":5,"ppid":-1}]}`, ErrInvalid},
		{"NSpid not starting with the PID", `{"schema":1,"processes":[{"pid":5,"nspid":[6,1]}]}`, ErrInvalid},
		{"NSpid 0", `{"schema":1,"processes":[{"pid":5,"nspid":[5,0]}]}`, ErrInvalid},
		{"NSpid too long", `{"schema":1,"processes":[{"pid":5,"nspid":[5` + strings.Repeat(",1", 33) + `]}]}`, ErrInvalid},
		{"thread 0", `{"schema":1,"processes":[{"pid":5,"threads":[{"tid":0}]}]}`, ErrInvalid},
		{"thread NSpid", `{"schema":1,"processes":[{"pid":5,"threads":[{"tid":6,"nspid":[7,1]}]}]}`, ErrInvalid},
		{"thread NSpid 0", `{"schema":1,"processes":[{"pid":5,"threads":[{"tid":6,"nspid":[6,0]}]}]}`, ErrInvalid},
		{"namespace type", `{"schema":1,"namespaces":[{"type":"bogus","ino":1}]}`, nil},
		{"namespace without inode", `{"schema":1,"namespaces":[{"type":"pid","ino":0}]}`, ErrInvalid},
		{"bad base64", `{"schema":1,"processes":[{"pid":5,"comm_b64":"!!"}]}`, nil},
		{"cmdline_b64 mismatch", `{"schema":1,"processes":[{"pid":5,"cmdline":["a"],"cmdline_b64":["YQ==","YQ=="]}]}`, nil},
		{"ns not an object", `{"schema":1,"processes":[{"pid":5,"ns":[1]}]}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ReadSnapshot(strings.NewReader(tc.json))
			if err == nil {
				t.Fatalf("ReadSnapshot(%s) = %+v, want an error", tc.json, s)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error on two lines: %q", err)
			}
		})
	}
	// 33 entries: the deepest namespace the kernel allows.
	if _, err := ReadSnapshot(strings.NewReader(`{"schema":1,"processes":[{"pid":5,"nspid":[5` + strings.Repeat(",1", 32) + `]}]}`)); err != nil {
		t.Errorf("33 NSpid entries: %v", err)
	}
}

func TestLoadSnapshot(t *testing.T) {
	s, _ := scanFixture(t, "proc-nested", Everything())
	path := filepath.Join(t.TempDir(), "s.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteJSON(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	back, err := LoadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, back, s)
	// Views of the loaded snapshot equal those of the scan.
	for _, pid := range []int{1, 101, 104, 108, 120} {
		a, _ := s.InsideViewOf(pid)
		b, err := back.InsideViewOf(pid)
		if err != nil || shape(t, a) != shape(t, b) {
			t.Errorf("inside view of %d differs after a round trip: %v", pid, err)
		}
	}
	if _, err := LoadSnapshot(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}
