package tree

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrSchema is wrapped by ReadSnapshot when a file is not a snapshot this
// version of nsview understands.
var ErrSchema = errors.New("unsupported snapshot")

// WriteJSON writes the snapshot as indented JSON.
func (s *Snapshot) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetIndent("", " ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
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
