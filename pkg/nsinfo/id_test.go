package nsinfo

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseID(t *testing.T) {
	for _, tc := range []struct {
		link string
		want ID
	}{
		{"pid:[4026531836]", ID{PID, 4026531836}},
		{"cgroup:[4026531835]", ID{Cgroup, 4026531835}},
		{"ipc:[1]", ID{IPC, 1}},
		{"mnt:[4026531841]", ID{Mount, 4026531841}},
		{"net:[4026531840]", ID{Net, 4026531840}},
		{"user:[4026531837]", ID{User, 4026531837}},
		{"uts:[4026531838]", ID{UTS, 4026531838}},
		{"time:[4026531834]", ID{Time, 4026531834}},
		{"pid:[18446744073709551615]", ID{PID, 1<<64 - 1}},
	} {
		got, err := ParseID(tc.link)
		if err != nil || got != tc.want {
			t.Errorf("ParseID(%q) = %v, %v; want %v", tc.link, got, err, tc.want)
			continue
		}
		if s := got.String(); s != tc.link {
			t.Errorf("ParseID(%q).String() = %q", tc.link, s)
		}
	}
}

func TestParseIDRejects(t *testing.T) {
	for _, link := range []string{
		"", ":", "pid", "pid:", "pid:[", "pid:[]", "pid:[0]", "pid:[01]",
		"PID:[1]", "Pid:[1]", "mount:[1]", " pid:[1]", "pid :[1]", "pid:[1] ",
		"pid:[1", "pid:1]", "pid:[-1]", "pid:[+1]", "pid:[1 ]", "pid:[ 1]",
		"pid:[1]]", "pid:[[1]", "pid:[1]x", "pid:[0x10]", "pid:[1_0]",
		"pid:[18446744073709551616]", "pid:[99999999999999999999999]",
		"foo:[1]", ":[1]", "pid_for_children:[1]", "time_for_children:[1]",
		"pid:[1]\n", "pid\x00:[1]", "/proc/1/ns/pid", "anon_inode:[eventfd]",
		"socket:[12345]",
	} {
		id, err := ParseID(link)
		if err == nil {
			t.Errorf("ParseID(%q) = %v, want an error", link, id)
			continue
		}
		if !errors.Is(err, ErrBadLink) {
			t.Errorf("ParseID(%q): error %v does not wrap ErrBadLink", link, err)
		}
	}
}

func TestIDZero(t *testing.T) {
	var id ID
	if !id.IsZero() || id.String() != "?" {
		t.Errorf("zero ID: IsZero %v, String %q", id.IsZero(), id.String())
	}
	if (ID{Type: PID}).String() != "?" {
		t.Error("an ID without inode must print as ?")
	}
}

func TestSet(t *testing.T) {
	var s Set
	for i, typ := range Types {
		s.Put(ID{Type: typ, Ino: uint64(100 + i)})
	}
	s.Put(ID{Type: Type(1), Ino: 7}) // unknown type: ignored
	for i, typ := range Types {
		if got := s.Get(typ); got != (ID{typ, uint64(100 + i)}) {
			t.Errorf("Get(%v) = %v", typ, got)
		}
	}
	if got := s.Get(Type(1)); !got.IsZero() {
		t.Errorf("Get(unknown) = %v, want zero", got)
	}
}

func TestParseType(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Type
	}{
		{"cgroup", Cgroup}, {"ipc", IPC}, {"mnt", Mount}, {"mount", Mount},
		{"net", Net}, {"pid", PID}, {"user", User}, {"uts", UTS}, {"time", Time},
		{"PID", PID}, {" net ", Net}, {"Mount", Mount},
	} {
		got, err := ParseType(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseType(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "pids", "pid_for_children", "namespace", "all", "p id"} {
		if got, err := ParseType(in); err == nil {
			t.Errorf("ParseType(%q) = %v, want an error", in, got)
		}
	}
}

func TestTypeNamesAndIndex(t *testing.T) {
	want := []string{"cgroup", "ipc", "mnt", "net", "pid", "user", "uts", "time"}
	for i, typ := range Types {
		if typ.Index() != i {
			t.Errorf("%v.Index() = %d, want %d", typ, typ.Index(), i)
		}
		if typ.String() != want[i] {
			t.Errorf("Types[%d].String() = %q, want %q", i, typ.String(), want[i])
		}
	}
	if Type(3).Index() != -1 || Type(3).String() != "type(0x3)" {
		t.Errorf("unknown type: Index %d, String %q", Type(3).Index(), Type(3).String())
	}
	if !PID.Hierarchical() || !User.Hierarchical() || Net.Hierarchical() || Mount.Hierarchical() {
		t.Error("only pid and user namespaces are hierarchical")
	}
}

func TestTypeJSON(t *testing.T) {
	b, err := json.Marshal(ID{Type: Mount, Ino: 5})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"type":"mnt","ino":5}` {
		t.Errorf("ID JSON = %s", b)
	}
	var id ID
	if err := json.Unmarshal(b, &id); err != nil || id != (ID{Mount, 5}) {
		t.Errorf("decode %s = %v, %v", b, id, err)
	}
	if _, err := json.Marshal(Type(3)); err == nil {
		t.Error("an unknown type must not encode")
	}
	if err := json.Unmarshal([]byte(`{"type":"bogus","ino":1}`), &id); err == nil {
		t.Error("an unknown type name must not decode")
	}
}
