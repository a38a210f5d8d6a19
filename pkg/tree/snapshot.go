package tree

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// SchemaVersion is the version of the Snapshot JSON form. It changes when a
// field changes meaning or goes away; added fields do not change it.
const SchemaVersion = 1

// Snapshot is everything one scan of a proc filesystem found.
type Snapshot struct {
	Schema   int       `json:"schema"`
	Taken    time.Time `json:"taken"`
	Hostname string    `json:"hostname,omitempty"`
	Kernel   string    `json:"kernel,omitempty"`
	// ProcPath is the proc mount that was scanned.
	ProcPath string `json:"proc_path"`
	// ClockTicks is sysconf(_SC_CLK_TCK), the unit of StartTime.
	ClockTicks int `json:"clock_ticks"`
	// BootTime is when the machine booted, so StartTime can be shown as a
	// time of day; zero when unknown.
	BootTime time.Time `json:"boot_time,omitzero"`
	// Caller is the process that took the snapshot, as the mount saw it.
	Caller nsinfo.Caller `json:"caller"`
	// Read says which facts were read; a view that needs an unread fact
	// says so instead of showing blanks.
	Read Options `json:"read"`
	// Processes, ordered by PID.
	Processes []Process `json:"processes"`
	// Namespaces found, ordered by type, then inode number.
	Namespaces []Namespace `json:"namespaces"`
	// Unreadable counts what could not be read.
	Unreadable Unreadable `json:"unreadable"`
	// Warnings are one-line notes for the user, e.g. a foreign proc mount.
	Warnings []string `json:"warnings,omitempty"`
	// Users maps the UIDs seen (process owners, user namespace creators)
	// to user names on the scanned machine, so a snapshot shows them
	// anywhere.
	Users map[uint32]string `json:"users,omitempty"`

	byPID          map[int]int // PID to index in Processes, built on demand
	byNS           map[nsinfo.ID]int
	inferredParent map[uint64]uint64 // PID namespace parents from the process tree
	pidNS          []uint64          // PIDNamespaceOf each process, by index
	mountPIDNS     uint64            // the proc mount's own PID namespace, 0 if no link told
}

// Process is one process as the proc mount numbers it.
type Process struct {
	PID  int `json:"pid"`
	PPID int `json:"ppid"` // 0 when the parent is outside the mount's PID namespace
	PGID int `json:"pgid"`
	SID  int `json:"sid"`
	// UID owns /proc/PID: the effective UID, as pstree and lsns show it;
	// UnknownUID where it could not be read.
	UID uint32 `json:"uid"`
	// Comm is the name from stat: up to 15 bytes, any byte but NUL.
	Comm string `json:"comm"`
	// Cmdline is the argument vector; empty for kernel threads and
	// zombies, nil when not read.
	Cmdline []string `json:"cmdline"`
	// CmdlineUnterminated is set when the raw command line was not empty
	// and did not end in NUL (a process that rewrote its arguments):
	// pstree -a prints such a line differently.
	CmdlineUnterminated bool   `json:"cmdline_unterminated,omitempty"`
	State               string `json:"state"`
	// StartTime is in clock ticks after boot; with PID it identifies a
	// process across refreshes.
	StartTime uint64 `json:"start_time"`
	// CPUTime is user plus system time, in clock ticks.
	CPUTime uint64 `json:"cpu_time"`
	// NumThreads counts the process's threads, itself included.
	NumThreads int `json:"num_threads"`
	// Threads other than the main one, when read.
	Threads []Thread `json:"threads,omitempty"`
	// NSpid is the PID in each PID namespace from the mount's down to the
	// process's own, outer to inner; nil when unknown.
	NSpid []int `json:"nspid"`
	// NS is the process's eight namespaces (0 = unknown).
	NS nsinfo.Set `json:"-"`
	// PIDForChildren is the PID namespace of the process's future children.
	PIDForChildren uint64 `json:"pid_for_children,omitempty"`
	// Cgroup is the cgroup v2 path (or the v1 path of the first named
	// hierarchy), when read.
	Cgroup string `json:"cgroup,omitempty"`
	// CgroupPaths are the distinct paths of every line of
	// /proc/PID/cgroup when it has more than one (cgroup v1 or hybrid),
	// for container detection; nil on a pure cgroup v2 system.
	CgroupPaths []string `json:"cgroup_paths,omitempty"`
	// Denied is set when some fact could not be read for lack of permission
	// (typically the namespace links of another user's process).
	Denied bool `json:"denied,omitempty"`
}

// UnknownUID is Process.UID when the owner could not be read: (uid_t)-1,
// which the kernel never gives a process.
const UnknownUID = ^uint32(0)

// Thread is one thread of a process other than its main thread.
type Thread struct {
	TID  int    `json:"tid"`
	Comm string `json:"comm,omitempty"` // its own name; empty when not read
	// NSpid is the thread's ID in each PID namespace, outer to inner, like
	// Process.NSpid; read only for threads of nested processes (nil
	// otherwise: then the chain is just TID when the process is at the
	// mount's own level, unknown when it is nested).
	NSpid []int `json:"nspid,omitempty"`
}

// Namespace is one namespace found in the scan.
type Namespace struct {
	Type nsinfo.Type `json:"type"`
	Ino  uint64      `json:"ino"`
	// KernelID is NS_GET_ID's 64-bit ID, 0 where unknown.
	KernelID uint64 `json:"kernel_id,omitempty"`
	// NProcs counts the processes in it.
	NProcs int `json:"nprocs"`
	// PID is the lowest PID in it (0 when no process is: a namespace held
	// only by a bind mount or a file descriptor).
	PID int `json:"pid"`
	// Level is, for PID namespaces, the nesting below the proc mount's own
	// PID namespace (0 = the mount's own); -1 where unknown.
	Level int `json:"level"`
	// Parent (PID and user namespaces) and Owner (the owning user
	// namespace) are inode numbers, 0 where unknown or none.
	Parent uint64 `json:"parent,omitempty"`
	Owner  uint64 `json:"owner,omitempty"`
	// OwnerUID is the creator's UID, for user namespaces; -1 otherwise.
	OwnerUID int64 `json:"owner_uid"`
	// Found says how the namespace was found: "process", and where other
	// discovery ran, "fd PID/N", "bind PATH" or "hierarchy".
	Found []string `json:"found"`
	// Mounts are the nsfs bind mounts of the namespace (Options.Discover),
	// in every mount namespace that was reached.
	Mounts []NSMount `json:"mounts,omitempty"`
	// NetNSID is, for a network namespace, the id the scanning process's
	// network namespace gives it (RTM_GETNSID; -1 unassigned); nil where
	// not read (Options.NetNSID).
	NetNSID *int `json:"netnsid,omitempty"`
}

// NSMount is a bind mount of a namespace file (an nsfs mount), such as
// /run/netns/NAME made by `ip netns add`.
type NSMount struct {
	// Path is the mount point as its own mount namespace shows it.
	Path string `json:"path"`
	// MntNS is the mount namespace (inode) whose mount table holds it.
	MntNS uint64 `json:"mntns"`
}

type nsMountJSON struct {
	nsMountAlias
	PathRaw string `json:"path_b64,omitempty"`
}

type nsMountAlias NSMount

// MarshalJSON encodes the mount losslessly: a path is any bytes but NUL.
func (m NSMount) MarshalJSON() ([]byte, error) {
	w := nsMountJSON{nsMountAlias: nsMountAlias(m)}
	if !utf8.ValidString(m.Path) {
		w.PathRaw = base64.StdEncoding.EncodeToString([]byte(m.Path))
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (m *NSMount) UnmarshalJSON(b []byte) error {
	var w nsMountJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = NSMount(w.nsMountAlias)
	if w.PathRaw != "" {
		raw, err := base64.StdEncoding.DecodeString(w.PathRaw)
		if err != nil {
			return fmt.Errorf("mount %q: path_b64: %w", w.Path, err)
		}
		m.Path = string(raw)
	}
	return nil
}

// ID returns the namespace's identity.
func (n *Namespace) ID() nsinfo.ID { return nsinfo.ID{Type: n.Type, Ino: n.Ino} }

// Unreadable counts what a scan could not read.
type Unreadable struct {
	// Vanished processes exited while being read and are left out.
	Vanished int `json:"vanished"`
	// Denied processes are shown, with the facts that were denied unknown.
	Denied int `json:"denied"`
	// Hidden processes are listed but their stat is denied (a proc mounted
	// with hidepid=1, or invisible=noaccess): they are left out.
	Hidden int `json:"hidden"`
	// Failed processes hit another error; they are left out if their stat
	// could not be read, shown partially otherwise.
	Failed int `json:"failed"`
	// Errors holds the first few failures, one line each.
	Errors []string `json:"errors,omitempty"`
}

// maxErrors bounds Unreadable.Errors.
const maxErrors = 20

// Total is the number of processes that were not read in full.
func (u Unreadable) Total() int { return u.Vanished + u.Denied + u.Hidden + u.Failed }

// Unread is how many processes a view cannot show in full: partly denied,
// hidden or failed (those that vanished while being read are a live
// system's normal churn, not counted).
func (u Unreadable) Unread() int { return u.Denied + u.Hidden + u.Failed }

// Proc returns the process with the given PID (as the mount numbers it).
func (s *Snapshot) Proc(pid int) (*Process, bool) {
	if s.byPID == nil {
		s.index()
	}
	i, ok := s.byPID[pid]
	if !ok {
		return nil, false
	}
	return &s.Processes[i], true
}

// Namespace returns the namespace with the given identity.
func (s *Snapshot) Namespace(id nsinfo.ID) (*Namespace, bool) {
	if s.byNS == nil {
		s.index()
	}
	i, ok := s.byNS[id]
	if !ok {
		return nil, false
	}
	return &s.Namespaces[i], true
}

func (s *Snapshot) index() {
	s.byPID = make(map[int]int, len(s.Processes))
	for i := range s.Processes {
		s.byPID[s.Processes[i].PID] = i
	}
	s.byNS = make(map[nsinfo.ID]int, len(s.Namespaces))
	for i := range s.Namespaces {
		s.byNS[s.Namespaces[i].ID()] = i
	}
	s.mountPIDNS = 0
	for i := range s.Processes {
		if p := &s.Processes[i]; len(p.NSpid) == 1 && p.NS[nsinfo.PID.Index()] != 0 {
			s.mountPIDNS = p.NS[nsinfo.PID.Index()]
			break
		}
	}
	s.resolvePIDNamespaces()
	s.inferParents()
}

// Sort orders processes by PID and namespaces by type and inode, and
// rebuilds the lookup indexes, each process's PID namespace and the
// namespace parents inferred from the process tree. Call it after changing
// either list, or a process's PID, PPID, NSpid or namespaces. After Sort, a
// Snapshot is only read, so goroutines may share it.
func (s *Snapshot) Sort() {
	sort.Slice(s.Processes, func(i, j int) bool { return s.Processes[i].PID < s.Processes[j].PID })
	sort.Slice(s.Namespaces, func(i, j int) bool {
		a, b := &s.Namespaces[i], &s.Namespaces[j]
		if a.Type != b.Type {
			return a.Type.Index() < b.Type.Index()
		}
		return a.Ino < b.Ino
	})
	s.index()
}

// Depth is the number of PID namespace levels the process is seen at (the
// length of its NSpid chain), 0 when unknown.
func (p *Process) Depth() int { return len(p.NSpid) }

// InnerPID is the process's PID in its own PID namespace (the last NSpid
// entry), or PID when NSpid is unknown.
func (p *Process) InnerPID() int {
	if n := len(p.NSpid); n > 0 {
		return p.NSpid[n-1]
	}
	return p.PID
}

// nsJSON is the JSON form of a namespace set: type name to inode, null where
// unknown.
type nsJSON struct {
	Cgroup *uint64 `json:"cgroup"`
	IPC    *uint64 `json:"ipc"`
	Mnt    *uint64 `json:"mnt"`
	Net    *uint64 `json:"net"`
	PID    *uint64 `json:"pid"`
	User   *uint64 `json:"user"`
	UTS    *uint64 `json:"uts"`
	Time   *uint64 `json:"time"`
}

func (j *nsJSON) fields() [nsinfo.NumTypes]**uint64 {
	return [nsinfo.NumTypes]**uint64{&j.Cgroup, &j.IPC, &j.Mnt, &j.Net, &j.PID, &j.User, &j.UTS, &j.Time}
}

// processJSON is Process's wire form: the struct's fields plus the namespace
// set, and, for names that are not valid UTF-8 (which encoding/json would
// silently turn into U+FFFD), their exact bytes in base64.
type processJSON struct {
	processAlias
	NS             nsJSON   `json:"ns"`
	CommRaw        string   `json:"comm_b64,omitempty"`
	CmdlineRaw     []string `json:"cmdline_b64,omitempty"`
	CgroupRaw      string   `json:"cgroup_b64,omitempty"`
	CgroupPathsRaw []string `json:"cgroup_paths_b64,omitempty"`
}

// rawList is the base64 of every string of list when any of them is not
// valid UTF-8, else nil.
func rawList(list []string) []string {
	for _, a := range list {
		if !utf8.ValidString(a) {
			raw := make([]string, len(list))
			for i, a := range list {
				raw[i] = base64.StdEncoding.EncodeToString([]byte(a))
			}
			return raw
		}
	}
	return nil
}

// restoreList puts back the exact bytes rawList kept.
func restoreList(list, raw []string, what string) error {
	if raw == nil {
		return nil
	}
	if len(raw) != len(list) {
		return fmt.Errorf("%s_b64 has %d entries, %s %d", what, len(raw), what, len(list))
	}
	for i, r := range raw {
		b, err := base64.StdEncoding.DecodeString(r)
		if err != nil {
			return fmt.Errorf("%s_b64[%d]: %w", what, i, err)
		}
		list[i] = string(b)
	}
	return nil
}

type processAlias Process

// MarshalJSON encodes the process losslessly.
func (p Process) MarshalJSON() ([]byte, error) {
	w := processJSON{processAlias: processAlias(p)}
	f := w.NS.fields()
	for i := range p.NS {
		if p.NS[i] != 0 {
			v := p.NS[i]
			*f[i] = &v
		}
	}
	if !utf8.ValidString(p.Comm) {
		w.CommRaw = base64.StdEncoding.EncodeToString([]byte(p.Comm))
	}
	w.CmdlineRaw = rawList(p.Cmdline)
	w.CgroupPathsRaw = rawList(p.CgroupPaths)
	if !utf8.ValidString(p.Cgroup) {
		// Cgroup directories are named by whoever creates them.
		w.CgroupRaw = base64.StdEncoding.EncodeToString([]byte(p.Cgroup))
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes what MarshalJSON wrote, restoring exact bytes.
func (p *Process) UnmarshalJSON(b []byte) error {
	var w processJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = Process(w.processAlias)
	f := w.NS.fields()
	for i := range p.NS {
		if v := *f[i]; v != nil {
			p.NS[i] = *v
		}
	}
	if w.CommRaw != "" {
		raw, err := base64.StdEncoding.DecodeString(w.CommRaw)
		if err != nil {
			return fmt.Errorf("process %d: comm_b64: %w", p.PID, err)
		}
		p.Comm = string(raw)
	}
	if err := restoreList(p.Cmdline, w.CmdlineRaw, "cmdline"); err != nil {
		return fmt.Errorf("process %d: %w", p.PID, err)
	}
	if err := restoreList(p.CgroupPaths, w.CgroupPathsRaw, "cgroup_paths"); err != nil {
		return fmt.Errorf("process %d: %w", p.PID, err)
	}
	if w.CgroupRaw != "" {
		raw, err := base64.StdEncoding.DecodeString(w.CgroupRaw)
		if err != nil {
			return fmt.Errorf("process %d: cgroup_b64: %w", p.PID, err)
		}
		p.Cgroup = string(raw)
	}
	return nil
}

type threadJSON struct {
	threadAlias
	CommRaw string `json:"comm_b64,omitempty"`
}

type threadAlias Thread

// MarshalJSON encodes the thread losslessly.
func (t Thread) MarshalJSON() ([]byte, error) {
	w := threadJSON{threadAlias: threadAlias(t)}
	if !utf8.ValidString(t.Comm) {
		w.CommRaw = base64.StdEncoding.EncodeToString([]byte(t.Comm))
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (t *Thread) UnmarshalJSON(b []byte) error {
	var w threadJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*t = Thread(w.threadAlias)
	if w.CommRaw != "" {
		raw, err := base64.StdEncoding.DecodeString(w.CommRaw)
		if err != nil {
			return fmt.Errorf("thread %d: comm_b64: %w", t.TID, err)
		}
		t.Comm = string(raw)
	}
	return nil
}
