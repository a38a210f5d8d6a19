package nsinfo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ID identifies a namespace as the kernel shows it in /proc/PID/ns links:
// its type and its nsfs inode number. It is comparable and usable as a map
// key. The zero ID means "unknown".
//
// An inode number can be reused once a namespace is gone; where that matters
// (comparing snapshots over time), pair the ID with the 64-bit kernel
// namespace ID that NS_GET_ID returns (see Info.KernelID).
type ID struct {
	Type Type   `json:"type"`
	Ino  uint64 `json:"ino"`
}

// ErrBadLink is wrapped by ParseID when link text is not of the form type:[N].
var ErrBadLink = errors.New("not a namespace link")

// ParseID parses namespace link text such as "pid:[4026531836]", as read from
// /proc/PID/ns/pid or from an fd link to an nsfs file. This is the only place
// that text is parsed. It accepts exactly what the kernel writes (the type
// as the kernel spells it, a decimal inode number without sign or leading
// zero), so that for every text it accepts, ID.String gives the text back:
// two different link texts never name the same ID.
func ParseID(link string) (ID, error) {
	// The shortest valid text is "ipc:[1]"; the type ends at the first ':'.
	colon := strings.IndexByte(link, ':')
	if colon <= 0 || len(link) < colon+4 || link[colon+1] != '[' || link[len(link)-1] != ']' {
		return ID{}, fmt.Errorf("parse %q: %w", truncateString(link), ErrBadLink)
	}
	typ, ok := typeNamed(link[:colon])
	if !ok {
		return ID{}, fmt.Errorf("parse %q: %w: unknown type", truncateString(link), ErrBadLink)
	}
	digits := link[colon+2 : len(link)-1]
	ino, good := parseUint([]byte(digits))
	if !good || ino == 0 || digits[0] == '0' {
		return ID{}, fmt.Errorf("parse %q: %w: bad inode number", truncateString(link), ErrBadLink)
	}
	return ID{Type: typ, Ino: ino}, nil
}

func truncateString(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// IsZero reports whether the ID is unknown.
func (id ID) IsZero() bool { return id.Ino == 0 }

// String returns the link text form, "pid:[4026531836]", or "?" if unknown.
func (id ID) String() string {
	if id.IsZero() {
		return "?"
	}
	return id.Type.String() + ":[" + strconv.FormatUint(id.Ino, 10) + "]"
}

// Set holds one process's namespaces, one inode number per type, indexed by
// Type.Index. A zero entry is unknown (unreadable, or a type this kernel lacks).
type Set [NumTypes]uint64

// Get returns the namespace of type t in the set.
func (s *Set) Get(t Type) ID {
	i := t.Index()
	if i < 0 {
		return ID{}
	}
	return ID{Type: t, Ino: s[i]}
}

// Put records id in the set.
func (s *Set) Put(id ID) {
	if i := id.Type.Index(); i >= 0 {
		s[i] = id.Ino
	}
}
