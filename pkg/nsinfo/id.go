package nsinfo

import (
	"errors"
	"fmt"
	"strconv"
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
	id, bad := parseLink(link)
	switch bad {
	case badFormat:
		return ID{}, fmt.Errorf("parse %q: %w", truncateString(link), ErrBadLink)
	case badType:
		return ID{}, fmt.Errorf("parse %q: %w: unknown type", truncateString(link), ErrBadLink)
	case badIno:
		return ID{}, fmt.Errorf("parse %q: %w: bad inode number", truncateString(link), ErrBadLink)
	}
	return id, nil
}

// ParseLink is ParseID for link text in a buffer, without allocating and
// without saying why text is not a namespace link: for fd discovery, where
// most links read are files, pipes and sockets.
func ParseLink(link []byte) (ID, bool) {
	id, bad := parseLink(link)
	return id, bad == linkOK
}

type linkFault uint8

const (
	linkOK linkFault = iota
	badFormat
	badType
	badIno
)

// parseLink is the one parser of link text, as a string or as bytes.
func parseLink[T string | []byte](link T) (ID, linkFault) {
	// The shortest valid text is "ipc:[1]"; the type ends at the first ':'.
	colon := -1
	for i := 0; i < len(link); i++ {
		if link[i] == ':' {
			colon = i
			break
		}
	}
	if colon <= 0 || len(link) < colon+4 || link[colon+1] != '[' || link[len(link)-1] != ']' {
		return ID{}, badFormat
	}
	typ, ok := typeNamed(string(link[:colon]))
	if !ok {
		return ID{}, badType
	}
	digits := link[colon+2 : len(link)-1]
	ino, good := parseUint([]byte(digits))
	if !good || ino == 0 || digits[0] == '0' {
		return ID{}, badIno
	}
	return ID{Type: typ, Ino: ino}, linkOK
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
