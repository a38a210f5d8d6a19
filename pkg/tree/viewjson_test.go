package tree

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nsview/nsview/pkg/nsinfo"
)

func nestedFixture() *fixture {
	f := newFixture("1 0 init", "100 1 unshare", "101 100 sh", "102 101 sleep\xff", "103 101 sleep")
	f.p(101).NSpid = []int{101, 1}
	f.p(102).NSpid = []int{102, 2}
	f.p(103).NSpid = []int{103, 3}
	for _, pid := range []int{1, 100} {
		f.p(pid).NS[nsinfo.PID.Index()] = 7
	}
	for _, pid := range []int{101, 102, 103} {
		f.p(pid).NS[nsinfo.PID.Index()] = 8
	}
	f.s.Sort()
	return f
}

func TestViewJSONIsFlatAndLossless(t *testing.T) {
	f := nestedFixture()
	v, err := f.s.InsideViewOf(102)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := v.WriteJSON(&b, JSONOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema    int    `json:"schema"`
		PIDNS     string `json:"pid_ns"`
		Inside    bool   `json:"inside"`
		Processes []struct {
			PID, PPID, HostPID int
			NSpid              []int  `json:"nspid"`
			Comm               string `json:"comm"`
			CommRaw            string `json:"comm_b64"`
		} `json:"processes"`
		PIDNamespaces []struct {
			Init   []int `json:"init"`
			NProcs int   `json:"nprocs"`
		} `json:"pid_namespaces"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if doc.PIDNS != "pid:[8]" || !doc.Inside || len(doc.Processes) != 3 {
		t.Fatalf("doc = %+v", doc)
	}
	if p := doc.Processes[1]; p.PID != 2 || p.PPID != 1 || len(p.NSpid) != 1 || p.NSpid[0] != 2 {
		t.Errorf("process 2 = %+v", p)
	}
	raw, _ := base64.StdEncoding.DecodeString(doc.Processes[1].CommRaw)
	if string(raw) != "sleep\xff" {
		t.Errorf("comm_b64 = %q", raw)
	}
	if len(doc.PIDNamespaces) != 1 || doc.PIDNamespaces[0].NProcs != 3 || len(doc.PIDNamespaces[0].Init) != 1 {
		t.Errorf("pid_namespaces = %+v", doc.PIDNamespaces)
	}

	// 100,000 deep decodes: the list is flat.
	b.Reset()
	if err := chain(100000).HostView().WriteJSON(&b, JSONOptions{}); err != nil {
		t.Fatal(err)
	}
	var any map[string]any
	if err := json.Unmarshal(b.Bytes(), &any); err != nil {
		t.Fatalf("deep chain: %v", err)
	}
}

func TestByNamespace(t *testing.T) {
	f := nestedFixture()
	var b bytes.Buffer
	if err := f.s.WriteByNamespace(&b, f.s.HostView()); err != nil {
		t.Fatal(err)
	}
	want := `pid:[7] level 0, init 1 "init", 2 processes
├── "init" (1)
├── "unshare" (100)
└── pid:[8] level 1, init 101/1 "sh", 3 processes
    ├── "sh" (101/1)
    ├── "sleep\xff" (102/2)
    └── "sleep" (103/3)
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	v, _ := f.s.InsideViewOf(103)
	b.Reset()
	if err := f.s.WriteByNamespace(&b, v); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), `pid:[8] level 0, init 1 "sh", 3 processes`) {
		t.Errorf("inside:\n%s", b.String())
	}
}
