//go:build linux

package nsinfo

import (
	"encoding/binary"
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

func nlmsg(typ uint16, seq uint32, payload []byte) []byte {
	b := make([]byte, 16+len(payload))
	binary.NativeEndian.PutUint32(b[0:], uint32(len(b)))
	binary.NativeEndian.PutUint16(b[4:], typ)
	binary.NativeEndian.PutUint32(b[8:], seq)
	copy(b[16:], payload)
	return b
}

func TestParseNSIDReply(t *testing.T) {
	attr := func(id int32) []byte {
		b := make([]byte, 12)
		binary.NativeEndian.PutUint16(b[4:], 8)
		binary.NativeEndian.PutUint16(b[6:], unix.NETNSA_NSID)
		binary.NativeEndian.PutUint32(b[8:], uint32(id))
		return b
	}
	if id, done, err := parseNSIDReply(nlmsg(unix.RTM_NEWNSID, 7, attr(5)), 7); !done || err != nil || id != 5 {
		t.Errorf("id 5: %d %v %v", id, done, err)
	}
	if id, done, err := parseNSIDReply(nlmsg(unix.RTM_NEWNSID, 7, attr(-1)), 7); !done || err != nil || id != NetNSIDUnassigned {
		t.Errorf("unassigned: %d %v %v", id, done, err)
	}
	if _, done, _ := parseNSIDReply(nlmsg(unix.RTM_NEWNSID, 6, attr(5)), 7); done {
		t.Error("a reply to an older request was taken")
	}
	e := make([]byte, 4)
	ebadf := -int32(unix.EBADF)
	binary.NativeEndian.PutUint32(e, uint32(ebadf))
	if _, done, err := parseNSIDReply(nlmsg(unix.NLMSG_ERROR, 7, e), 7); !done || !errors.Is(err, unix.EBADF) {
		t.Errorf("error reply: %v %v", done, err)
	}
	for _, bad := range [][]byte{nil, {1, 2, 3}, nlmsg(unix.RTM_NEWNSID, 7, nil), nlmsg(unix.RTM_NEWNSID, 7, []byte{0, 0, 0, 0, 200, 0})} {
		parseNSIDReply(bad, 7) // must not panic
	}
}

// TestNetNSIDOwn asks about the caller's own network namespace, which has
// no id in itself.
func TestNetNSIDOwn(t *testing.T) {
	ids, err := OpenNetNSIDs()
	if err != nil {
		t.Skip("no rtnetlink here:", err)
	}
	defer ids.Close()
	fd, err := OpenNS("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	defer CloseNS(fd)
	id, err := ids.Get(fd)
	if err != nil || id != NetNSIDUnassigned {
		t.Errorf("own netns: id %d, %v; want unassigned", id, err)
	}
}
