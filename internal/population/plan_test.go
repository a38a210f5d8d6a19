package population

import (
	"bytes"
	"debug/elf"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
)

func TestNewPlan(t *testing.T) {
	for _, tc := range []struct {
		n, levels int
		want      Plan
	}{
		{10000, 4, Plan{2498, 2498, 2498, 2498}},
		{1000, 4, Plan{248, 248, 248, 248}},
		{11, 4, Plan{1, 1, 1, 0}},
		{8, 4, Plan{0, 0, 0, 0}},
		{30000, 4, Plan{7498, 7498, 7498, 7498}},
		{7, 1, Plan{5}},
	} {
		p, err := NewPlan(tc.n, tc.levels)
		if err != nil {
			t.Fatalf("NewPlan(%d, %d): %v", tc.n, tc.levels, err)
		}
		if !reflect.DeepEqual(p, tc.want) || p.Total() != tc.n {
			t.Errorf("NewPlan(%d, %d) = %v (total %d), want %v", tc.n, tc.levels, p, p.Total(), tc.want)
		}
		back, err := ParsePlan(p.String())
		if err != nil || !reflect.DeepEqual(back, p) {
			t.Errorf("ParsePlan(%q) = %v, %v", p.String(), back, err)
		}
	}
	for _, bad := range [][2]int{{7, 4}, {100, 0}, {100, 32}} {
		if _, err := NewPlan(bad[0], bad[1]); err == nil {
			t.Errorf("NewPlan(%d, %d) accepted", bad[0], bad[1])
		}
	}
	for _, bad := range []string{"", "1,x", "1,-2"} {
		if _, err := ParsePlan(bad); err == nil {
			t.Errorf("ParsePlan(%q) accepted", bad)
		}
	}
}

func TestPIDMaxFor(t *testing.T) {
	for _, tc := range []struct{ n, tasks, current, want int }{
		{10000, 400, 32768, 0},         // fits with room to spare
		{30000, 400, 32768, 65536},     // 30,400 + a quarter
		{30000, 400, 65536, 0},         // already raised
		{100000, 5000, 32768, 262144},  // 131,250 needed
		{5000000, 0, 32768, 4194304},   // capped at the kernel's limit
		{25000, 6000, 32768, 65536},    // 31,000 + 7,750 > 32,768
		{1000, 30000, 4194304, 0},      // never lowered
		{100, 31000, 32768, 65536},     // the machine is already full
		{20000, 100, 32768, 32768 * 1}, // 20,100 + 5,025 fits
	} {
		want := tc.want
		if want == 32768 {
			want = 0
		}
		if got := pidMaxFor(tc.n, tc.tasks, tc.current); got != want {
			t.Errorf("pidMaxFor(%d, %d, %d) = %d, want %d", tc.n, tc.tasks, tc.current, got, want)
		}
	}
}

func TestStateRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	st := &State{N: 12, Levels: 2, Idle: "/x/idle", PIDMaxOld: 32768, PIDMaxSet: 65536, Complete: true,
		NS:    []NS{{"pid", 4026532182, 1}, {"mnt", 4026532181, 1}},
		Procs: []Proc{{100, 5000, RoleUnshare, 0}, {101, 5001, RoleInit, 1}, {105, 5003, RoleIdle, 1}}}
	if err := st.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, st) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, st)
	}
	for _, bad := range []string{"proc 1 2 idle\n", "n x\n", "what 1\n", "ns pid 1\n"} {
		if _, err := parseState(bytes.NewBufferString(bad)); err == nil {
			t.Errorf("parseState(%q) accepted", bad)
		}
	}
}

// TestIdleELF checks the hand-made idle program is an ELF the Go toolchain
// reads back as Linux expects: one loadable, executable segment holding the
// entry point.
func TestIdleELF(t *testing.T) {
	b := idleELF()
	if runtime.GOARCH != "amd64" {
		if b != nil {
			t.Fatal("idle program on a non-amd64 machine")
		}
		t.Skip("the idle program is amd64 only; elsewhere sleep infinity is used")
	}
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 || f.Type != elf.ET_EXEC || len(f.Progs) != 1 {
		t.Fatalf("header: class %v machine %v type %v progs %d", f.Class, f.Machine, f.Type, len(f.Progs))
	}
	p := f.Progs[0]
	if p.Type != elf.PT_LOAD || p.Flags != elf.PF_R|elf.PF_X || f.Entry < p.Vaddr || f.Entry >= p.Vaddr+p.Filesz || p.Filesz != uint64(len(b)) {
		t.Fatalf("segment %+v, entry %#x", p.ProgHeader, f.Entry)
	}
}
