package tree

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// ErrSchema is wrapped by ReadSnapshot when a file is not a snapshot this
// version of nsview understands.
var ErrSchema = errors.New("unsupported snapshot")

// ErrInvalid is wrapped by ReadSnapshot when a snapshot holds what no scan
// of a kernel can produce (a PID twice, an NSpid chain longer than the
// kernel's nesting allows, ...), so views never have to guess.
var ErrInvalid = errors.New("invalid snapshot")

// WriteJSON writes the snapshot as indented JSON. Everything but the
// processes goes through encoding/json; the processes, most of the bytes,
// are appended by hand (see jsonfast.go) and streamed, so memory does not
// grow with the size of the output.
func (s *Snapshot) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	head := *s
	head.Processes = nil
	var hb bytes.Buffer
	enc := json.NewEncoder(&hb)
	enc.SetIndent("", " ")
	if err := enc.Encode(&head); err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
	// The processes go where encoding/json wrote null for them: the one
	// place where a line holds that key at the first level (in a string
	// value, a newline is escaped).
	marker := []byte("\n \"processes\": null")
	at := bytes.Index(hb.Bytes(), marker)
	if at < 0 {
		return fmt.Errorf("encode snapshot: no processes key in %.40q", hb.Bytes())
	}
	at += len(marker) - len("null")
	bw.Write(hb.Bytes()[:at])
	if s.Processes == nil {
		bw.WriteString("null")
	} else {
		jw := &jsonWriter{b: make([]byte, 0, 32<<10), depth: 1, n: []int{0}}
		jw.open('[')
		for i := range s.Processes {
			jw.process(&s.Processes[i])
			if len(jw.b) >= 16<<10 {
				bw.Write(jw.b)
				jw.b = jw.b[:0]
			}
		}
		jw.close(']')
		bw.Write(jw.b)
	}
	bw.Write(hb.Bytes()[at+len("null"):])
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}

// ReadSnapshot decodes a snapshot written by WriteJSON.
func ReadSnapshot(r io.Reader) (*Snapshot, error) {
	var s Snapshot
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("decode snapshot: %w", err)
	}
	if s.Schema != SchemaVersion {
		return nil, fmt.Errorf("%w: schema %d, this nsview reads %d", ErrSchema, s.Schema, SchemaVersion)
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	// WriteJSON leaves an empty thread list out: one read as [] is none,
	// so that a snapshot reads back as it was written (FuzzReadSnapshot).
	for i := range s.Processes {
		if len(s.Processes[i].Threads) == 0 {
			s.Processes[i].Threads = nil
		}
	}
	s.Sort()
	return &s, nil
}

// LoadSnapshot reads a snapshot file ("-" for standard input).
func LoadSnapshot(path string) (*Snapshot, error) {
	if path == "-" {
		s, err := ReadSnapshot(os.Stdin)
		if err != nil {
			return nil, fmt.Errorf("read snapshot from stdin: %w", err)
		}
		return s, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open snapshot: %w", err)
	}
	defer f.Close()
	s, err := ReadSnapshot(f)
	if err != nil {
		return nil, fmt.Errorf("read snapshot %s: %w", path, err)
	}
	return s, nil
}

// validate checks what the kernel guarantees of a scan.
func (s *Snapshot) validate() error {
	seen := make(map[int]bool, len(s.Processes))
	for i := range s.Processes {
		p := &s.Processes[i]
		switch {
		case p.PID <= 0:
			return fmt.Errorf("process %d: PID must be positive", p.PID)
		case seen[p.PID]:
			return fmt.Errorf("process %d appears twice", p.PID)
		case p.PPID < 0 || p.PGID < 0 || p.SID < 0:
			return fmt.Errorf("process %d: negative PPID, PGID or SID", p.PID)
		case len(p.NSpid) > nsinfo.MaxNSpid:
			return fmt.Errorf("process %d: NSpid has %d entries, the kernel allows %d", p.PID, len(p.NSpid), nsinfo.MaxNSpid)
		case len(p.NSpid) > 0 && p.NSpid[0] != p.PID:
			return fmt.Errorf("process %d: NSpid starts with %d, not its PID", p.PID, p.NSpid[0])
		}
		seen[p.PID] = true
		for _, n := range p.NSpid {
			if n <= 0 {
				return fmt.Errorf("process %d: NSpid entry %d must be positive", p.PID, n)
			}
		}
		for _, t := range p.Threads {
			if t.TID <= 0 {
				return fmt.Errorf("process %d: thread ID %d must be positive", p.PID, t.TID)
			}
			if len(t.NSpid) > nsinfo.MaxNSpid || len(t.NSpid) > 0 && t.NSpid[0] != t.TID {
				return fmt.Errorf("process %d: thread %d: bad NSpid %v", p.PID, t.TID, t.NSpid)
			}
			for _, n := range t.NSpid {
				if n <= 0 {
					return fmt.Errorf("process %d: thread %d: NSpid entry %d must be positive", p.PID, t.TID, n)
				}
			}
		}
	}
	for i := range s.Namespaces {
		if n := &s.Namespaces[i]; n.Type.Index() < 0 || n.Ino == 0 {
			return fmt.Errorf("namespace %d: type or inode missing", i)
		}
	}
	return nil
}
