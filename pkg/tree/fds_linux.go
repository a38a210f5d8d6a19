package tree

import (
	"strconv"

	"github.com/nsview/nsview/pkg/nsinfo"
	"golang.org/x/sys/unix"
)

// realFDs appends the namespace fds of one process of a real proc mount:
// one open of /proc/PID/fd, getdents into buf, one readlinkat per entry,
// which is about half the syscalls of going through nsinfo.Files. ok is
// false when the directory could not be opened (the caller then ignores
// the process: it vanished, or its fds are not ours to read).
func realFDs(procPath string, pid int, buf []byte, out []fdHold) ([]fdHold, []byte) {
	fd, err := unix.Open(procPath+"/"+strconv.Itoa(pid)+"/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return out, buf
	}
	defer unix.Close(fd)
	if len(buf) < 8192 {
		buf = make([]byte, 8192)
	}
	var link [64]byte
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return out, buf
		}
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(uint16(b[16]) | uint16(b[17])<<8)
			if reclen < 19 || reclen > len(b) {
				break
			}
			name := b[19:reclen]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			b = b[reclen:]
			if len(name) == 0 || name[0] < '0' || name[0] > '9' {
				continue
			}
			l, err := unix.Readlinkat(fd, string(name), link[:])
			if err != nil || l < 7 || link[l-1] != ']' {
				continue
			}
			id, err := nsinfo.ParseID(string(link[:l]))
			if err != nil {
				continue
			}
			num, err := strconv.Atoi(string(name))
			if err != nil {
				continue
			}
			out = append(out, fdHold{pid: pid, fd: num, id: id})
		}
	}
}
