package nsinfo

import (
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// NetNSIDUnassigned is the NETNSID of a network namespace that has no id in
// the caller's network namespace (NETNSA_NSID_NOT_ASSIGNED); lsns shows it
// as "unassigned".
const NetNSIDUnassigned = -1

// NetNSIDs asks the kernel, over one rtnetlink socket, which id the
// caller's network namespace has assigned to other network namespaces
// (RTM_GETNSID with NETNSA_FD, as lsns and `ip netns list-id` do). The ids
// are relative to the network namespace that opened the socket. Asking does
// not assign an id. Safe for use by one goroutine at a time; the methods
// lock.
type NetNSIDs struct {
	mu  sync.Mutex
	fd  int
	seq uint32
}

// OpenNetNSIDs opens the rtnetlink socket.
func OpenNetNSIDs() (*NetNSIDs, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open rtnetlink socket: %w", err)
	}
	// A kernel that never answers must not hang a scan.
	tv := unix.NsecToTimeval(int64(2 * time.Second))
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("rtnetlink socket timeout: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind rtnetlink socket: %w", err)
	}
	return &NetNSIDs{fd: fd}, nil
}

// Close releases the socket.
func (n *NetNSIDs) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fd < 0 {
		return nil
	}
	err := unix.Close(n.fd)
	n.fd = -1
	return err
}

// Get returns the id of the network namespace open at nsFD, or
// NetNSIDUnassigned.
func (n *NetNSIDs) Get(nsFD int) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.seq++
	// struct nlmsghdr, struct rtgenmsg (padded to 4), one rtattr holding
	// the fd: 16 + 4 + 8 bytes.
	req := make([]byte, 28)
	binary.NativeEndian.PutUint32(req[0:], uint32(len(req)))
	binary.NativeEndian.PutUint16(req[4:], unix.RTM_GETNSID)
	binary.NativeEndian.PutUint16(req[6:], unix.NLM_F_REQUEST)
	binary.NativeEndian.PutUint32(req[8:], n.seq)
	req[16] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint16(req[20:], 8)
	binary.NativeEndian.PutUint16(req[22:], unix.NETNSA_FD)
	binary.NativeEndian.PutUint32(req[24:], uint32(int32(nsFD)))
	if err := unix.Sendto(n.fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return 0, fmt.Errorf("send RTM_GETNSID: %w", err)
	}
	buf := make([]byte, 4096)
	for {
		m, _, err := unix.Recvfrom(n.fd, buf, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("receive RTM_NEWNSID: %w", err)
		}
		id, done, err := parseNSIDReply(buf[:m], n.seq)
		if done {
			return id, err
		}
	}
}

// parseNSIDReply reads one datagram; done is false for a reply to an older
// request (one that timed out before).
func parseNSIDReply(b []byte, seq uint32) (id int, done bool, err error) {
	for len(b) >= unix.NLMSG_HDRLEN {
		l := int(binary.NativeEndian.Uint32(b[0:]))
		typ := binary.NativeEndian.Uint16(b[4:])
		s := binary.NativeEndian.Uint32(b[8:])
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			return 0, true, fmt.Errorf("RTM_NEWNSID: %w: message length %d", ErrMalformed, l)
		}
		msg := b[unix.NLMSG_HDRLEN:l]
		b = b[min(len(b), (l+3)&^3):]
		if s != seq {
			continue
		}
		switch typ {
		case unix.NLMSG_ERROR:
			if len(msg) < 4 {
				return 0, true, fmt.Errorf("RTM_GETNSID: %w: short error", ErrMalformed)
			}
			errno := -int32(binary.NativeEndian.Uint32(msg))
			return 0, true, fmt.Errorf("RTM_GETNSID: %w", unix.Errno(errno))
		case unix.RTM_NEWNSID:
			// struct rtgenmsg (padded to 4), then attributes.
			if len(msg) < 4 {
				return 0, true, fmt.Errorf("RTM_NEWNSID: %w: short message", ErrMalformed)
			}
			attrs := msg[4:]
			for len(attrs) >= 4 {
				al := int(binary.NativeEndian.Uint16(attrs[0:]))
				at := binary.NativeEndian.Uint16(attrs[2:])
				if al < 4 || al > len(attrs) {
					break
				}
				if at == unix.NETNSA_NSID && al >= 8 {
					return int(int32(binary.NativeEndian.Uint32(attrs[4:]))), true, nil
				}
				attrs = attrs[min(len(attrs), (al+3)&^3):]
			}
			return 0, true, fmt.Errorf("RTM_NEWNSID: %w: no NETNSA_NSID", ErrMalformed)
		}
	}
	return 0, false, nil
}
