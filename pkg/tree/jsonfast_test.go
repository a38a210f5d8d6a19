package tree

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeJSONReflect is WriteJSON done by encoding/json alone: the reference
// WriteJSON must match byte for byte.
func writeJSONReflect(s *Snapshot) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", " ")
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// hostileSnapshot holds the names and shapes that test an encoder: every
// escape encoding/json makes, invalid UTF-8 (kept in *_b64), empty and
// missing lists, threads with and without names.
func hostileSnapshot() *Snapshot {
	s := &Snapshot{Schema: SchemaVersion, Taken: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), ProcPath: "/proc",
		Hostname: "h<o>s&t\u2028", Warnings: []string{"w\n"}, Processes: []Process{}}
	names := []string{"", "plain", "a\nb", "a) S 1 x", "\x1b[31mA\nB\x1b[2JC", "tab\there", "q\"b\\s",
		"<script>&amp;", "\u2028\u2029", "\xff\xfe", "ok\xc3", "\x00\x01\x7f\u0085", "日本語", "\u202e rtl", "\b\f\r"}
	for i, n := range names {
		p := Process{PID: i + 1, PPID: i, PGID: 1, SID: 1, UID: 65534, Comm: n, State: "S",
			StartTime: uint64(i) * 1000, CPUTime: 7, NumThreads: 1}
		switch i % 5 {
		case 0:
			p.Cmdline = nil
		case 1:
			p.Cmdline = []string{}
		case 2:
			p.Cmdline = []string{n, "--x=" + n, ""}
			p.NSpid = []int{i + 1, 1}
			p.NS = [8]uint64{1, 2, 3, 4, 5, 6, 7, 8}
		case 3:
			p.Cmdline = []string{"/bin/ok", "arg"}
			p.NSpid = []int{}
			p.NS[4] = 4026531836
			p.Denied = true
		case 4:
			p.NumThreads = 3
			p.Threads = []Thread{{TID: 100 + i}, {TID: 200 + i, Comm: n}}
			p.PIDForChildren = 4026532000
			p.Cgroup = "/a:b/" + n
			p.CgroupPaths = []string{"/x", "/y/" + n}
		}
		s.Processes = append(s.Processes, p)
	}
	return s
}

func TestWriteJSONMatchesEncodingJSON(t *testing.T) {
	empty := &Snapshot{Schema: SchemaVersion, Processes: []Process{}}
	nilProcs := &Snapshot{Schema: SchemaVersion}
	for name, s := range map[string]*Snapshot{
		"hostile": hostileSnapshot(), "chain": chainSnapshot(1000, true), "empty": empty, "nil": nilProcs,
	} {
		var got bytes.Buffer
		if err := s.WriteJSON(&got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := writeJSONReflect(s)
		if !bytes.Equal(got.Bytes(), want) {
			i := 0
			for i < len(want) && i < got.Len() && want[i] == got.Bytes()[i] {
				i++
			}
			lo := max(0, i-80)
			t.Fatalf("%s: WriteJSON differs from encoding/json at byte %d:\n got %q\nwant %q", name, i,
				got.Bytes()[lo:min(got.Len(), i+80)], want[lo:min(len(want), i+80)])
		}
	}
}

func TestWriteJSONRoundTrip(t *testing.T) {
	s := hostileSnapshot()
	s.Sort()
	var b bytes.Buffer
	if err := s.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	back, err := ReadSnapshot(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Processes, s.Processes) {
		for i := range s.Processes {
			if !reflect.DeepEqual(back.Processes[i], s.Processes[i]) {
				t.Fatalf("process %d:\n got %+v\nwant %+v", i, back.Processes[i], s.Processes[i])
			}
		}
	}
}

// FuzzAppendJSONString holds the string quoting to encoding/json's.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a", "\x00", "\xff", "\u2028", "<&>", "\"\\", "\xed\xa0\x80", "\xf4\x90\x80\x80", "é\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}

// fillAll sets every settable field below v to a value that is not its
// zero value (slices get two elements), so that an encoder that leaves out a
// field, or a field added to Process later, shows in a comparison.
func fillAll(v reflect.Value, seed int) {
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillAll(v.Field(i), seed+i)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < 2; i++ {
			fillAll(s.Index(i), seed+i)
		}
		v.Set(s)
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			fillAll(v.Index(i), seed+i)
		}
	case reflect.String:
		v.SetString("s" + strings.Repeat("<\xff", seed%3))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(seed + 1))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(seed + 1))
	default:
		panic("fillAll: no value for " + v.Type().String())
	}
}

// TestWriteJSONCoversEveryField fills every field of a Process (and its
// threads) and holds WriteJSON to encoding/json: a field added to Process
// or Thread without a line in jsonfast.go fails here.
func TestWriteJSONCoversEveryField(t *testing.T) {
	var p Process
	fillAll(reflect.ValueOf(&p).Elem(), 0)
	s := &Snapshot{Schema: SchemaVersion, Processes: []Process{p, {PID: 2}}}
	var got bytes.Buffer
	if err := s.WriteJSON(&got); err != nil {
		t.Fatal(err)
	}
	if want := writeJSONReflect(s); !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("WriteJSON of a process with every field set:\n got %s\nwant %s", got.Bytes(), want)
	}
}
