//go:build linux

package nsinfo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// FuzzParseNSIDReply feeds a datagram to the RTM_NEWNSID reply parser
// (nsview ns's NETNSID column): it never panics, and an id comes only from
// a NETNSA_NSID attribute of a reply to the request's sequence number.
func FuzzParseNSIDReply(f *testing.F) {
	attr := func(id int32, pad int) []byte {
		b := make([]byte, 4+pad+8)
		binary.NativeEndian.PutUint16(b[4+pad:], 8)
		binary.NativeEndian.PutUint16(b[6+pad:], unix.NETNSA_NSID)
		binary.NativeEndian.PutUint32(b[8+pad:], uint32(id))
		return b
	}
	ebadf := make([]byte, 4)
	e := -int32(unix.EBADF)
	binary.NativeEndian.PutUint32(ebadf, uint32(e))
	good := nlmsg(unix.RTM_NEWNSID, 7, attr(5, 0))
	for _, seed := range [][]byte{
		nil,
		good,
		good[:len(good)-3],
		nlmsg(unix.RTM_NEWNSID, 7, attr(-1, 0)),
		append(nlmsg(unix.RTM_NEWNSID, 6, attr(4, 0)), good...), // an old reply first
		nlmsg(unix.NLMSG_ERROR, 7, ebadf),
		nlmsg(unix.NLMSG_ERROR, 7, nil),
		nlmsg(unix.RTM_NEWNSID, 7, nil),
		nlmsg(unix.RTM_NEWNSID, 7, bytes.Repeat([]byte{0xff}, 5000)),
		bytes.Repeat([]byte{0}, 64),
		{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0},
	} {
		f.Add(seed, uint32(7))
	}
	f.Fuzz(func(t *testing.T, b []byte, seq uint32) {
		id, done, err := parseNSIDReply(b, seq)
		switch {
		case err != nil && !done:
			t.Errorf("an error (%v) without done", err)
		case err != nil && !errors.Is(err, ErrMalformed) && !errors.As(err, new(unix.Errno)):
			t.Errorf("an error of neither kind: %v", err)
		case err == nil && done && !bytes.Contains(b, binary.NativeEndian.AppendUint16(nil, unix.NETNSA_NSID)):
			t.Errorf("id %d without a NETNSA_NSID attribute", id)
		case !done && id != 0:
			t.Errorf("id %d from no reply", id)
		}
	})
}
