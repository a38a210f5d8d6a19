package nsinfo

import (
	"bytes"
	"iter"
	"os"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// OSFiles returns the Files of the real filesystem below root. Each process
// directory is opened once with O_PATH and every file of the process is read
// relative to it with openat/readlinkat, which is both the cheapest way in
// syscalls and immune to PID reuse between two reads of one process.
func OSFiles(root string) Files {
	var st unix.Statfs_t
	proc := unix.Statfs(root, &st) == nil && st.Type == unix.PROC_SUPER_MAGIC
	return osFiles{root: root, proc: proc}
}

type osFiles struct {
	root string
	// proc says root is a proc filesystem, whose directory listings are
	// known to fill the buffer (see ReadFDLinks), not a fixture.
	proc bool
}

// OpenProc builds the path on the stack and keeps only root and pid: the
// path is text for error messages, made when one is (at 10,000 processes
// three allocations per process add up to a garbage collection or two).
func (f osFiles) OpenProc(pid int) (ProcDir, error) {
	var b [pathMax]byte
	path := append(b[:0], f.root...)
	path = append(path, '/')
	if pid > 0 {
		path = strconv.AppendInt(path, int64(pid), 10)
	} else {
		path = append(path, "self"...)
	}
	fd, err := openatBytes(unix.AT_FDCWD, path, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return nil, wrap("open", string(path), err)
	}
	return &osProcDir{fd: fd, root: f.root, pid: pid, proc: f.proc}, nil
}

func (f osFiles) ReadDirNames(name string) ([]string, error) {
	path := f.root + "/" + name
	d, err := os.Open(path)
	if err != nil {
		return nil, wrap("open", path, err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, wrap("list", path, err)
	}
	return names, nil
}

// ListPIDs lists the numeric entries of the root with getdents64 into one
// 64 KiB buffer (a few calls for 10,000 processes, where os.File's 8 KiB
// take dozens), parsing each name in place.
func (f osFiles) ListPIDs() ([]int, error) {
	fd, err := openat(unix.AT_FDCWD, f.root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return nil, wrap("open", f.root, err)
	}
	defer unix.Close(fd)
	buf := make([]byte, 64<<10)
	var pids []int
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, wrap("list", f.root, err)
		}
		if n <= 0 {
			return pids, nil
		}
		if pids == nil {
			// A full buffer holds about 2,700 names.
			pids = make([]int, 0, 4096)
		}
		for name := range dirents(buf[:n]) {
			if name[0] < '1' || name[0] > '9' {
				continue
			}
			if pid, ok := fdNumber(name); ok && pid > 0 {
				pids = append(pids, pid)
			}
		}
	}
}

func (f osFiles) Readlink(name string) (string, error) {
	path := f.root + "/" + name
	s, err := os.Readlink(path)
	if err != nil {
		return "", wrap("readlink", path, err)
	}
	return s, nil
}

type osProcDir struct {
	fd   int
	root string
	pid  int // 0 for "self"
	proc bool
	// link receives the links read (readlinkZ, ReadFDLinks): part of the
	// directory, which is on the heap anyway, it costs no allocation of
	// its own.
	link [128]byte
}

// path is the directory's path, or that of name in it, for messages.
func (d *osProcDir) path(name ...string) string {
	p := d.root + "/self"
	if d.pid > 0 {
		p = d.root + "/" + strconv.Itoa(d.pid)
	}
	for _, n := range name {
		p += "/" + n
	}
	return p
}

func (d *osProcDir) ReadFile(name string, buf []byte) ([]byte, error) {
	fd, err := openat(d.fd, name, unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return buf[:0], wrap("open", d.path(name), err)
	}
	defer unix.Close(fd)
	buf, err = readAll(fd, buf, untilEOF(name))
	if err != nil {
		return buf, wrap("read", d.path(name), err)
	}
	return buf, nil
}

// untilEOF reports whether a proc file is written one record per read(2)
// (a seq_file with an iterator: each read returns at most a page of whole
// lines), so that only a read returning 0 ends it. The per-process files
// the scan reads otherwise (stat, status, cgroup, cmdline) come whole in
// the first read.
func untilEOF(name string) bool {
	switch name {
	case "mountinfo", "mounts", "mountstats", "maps", "smaps", "numa_maps":
		return true
	}
	return false
}

// readAll reads fd to its end into buf, growing it as needed. Unless
// untilEOF, a read that does not fill the space offered is taken as the
// end, which saves the second read(2) that would return 0: most proc files
// are made whole on the first read (single_open seq_files, and cmdline's
// loop over the argument pages) and handed out as far as they fit, and a
// regular file (a fixture) returns less than asked only at its end. A
// seq_file with an iterator (mountinfo) hands out a page at a time: it needs
// untilEOF.
func readAll(fd int, buf []byte, untilEOF bool) ([]byte, error) {
	if cap(buf) < 512 {
		buf = make([]byte, 0, 4096)
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		space := cap(buf) - len(buf)
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return buf, err
		}
		buf = buf[:len(buf)+n]
		if n == 0 || (n < space && !untilEOF) {
			return buf, nil
		}
	}
}

// ReadStat reads /proc/PID/stat and the UID that owns it (the process's,
// as pstree shows it) without opening the process's directory first: when
// stat is all a scan needs, that is four syscalls instead of seven.
func (f osFiles) ReadStat(pid int, buf []byte) ([]byte, uint32, error) {
	path := f.root + "/" + strconv.Itoa(pid) + "/stat"
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return buf[:0], 0, wrap("open", path, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return buf[:0], 0, wrap("stat", path, err)
	}
	buf, err = readAll(fd, buf, false)
	if err != nil {
		return buf, 0, wrap("read", path, err)
	}
	return buf, st.Uid, nil
}

func (d *osProcDir) Readlink(name string) (string, error) {
	var b [128]byte
	n, err := unix.Readlinkat(d.fd, name, b[:])
	for err == unix.EINTR {
		n, err = unix.Readlinkat(d.fd, name, b[:])
	}
	if err != nil {
		return "", wrap("readlink", d.path(name), err)
	}
	if n == len(b) { // cannot happen for ns links; be correct anyway
		s, err := os.Readlink(d.path(name))
		if err != nil {
			return "", wrap("readlink", d.path(name), err)
		}
		return s, nil
	}
	return string(b[:n]), nil
}

// maxFDDirent is the largest getdents64 record of a /proc/PID/fd entry: the
// 19-byte header and a name of at most 10 digits with its NUL, rounded up
// to 8 bytes.
const maxFDDirent = 32

// ReadFDLinks lists the fd directory with getdents64 into buf and reads
// each entry's link with readlinkat, the name passed straight from buf
// (where getdents64 NUL-terminates it). The kernel fills a getdents64
// buffer of /proc/PID/fd until the next entry does not fit
// (proc_readfd_common stops only then, or at the last descriptor), so on a
// proc mount a read that leaves room for the largest entry was the last:
// that saves the second getdents64 call that would return 0, one of the
// few syscalls each process costs.
func (d *osProcDir) ReadFDLinks(buf []byte, each func(fd int, link []byte)) ([]byte, error) {
	from := 0
	if d.proc {
		var done bool
		var err error
		if from, done, err = d.probeFDLinks(each); done {
			return buf, err
		}
	}
	fd, err := openat(d.fd, "fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return buf, wrap("open", d.path("fd"), err)
	}
	defer unix.Close(fd)
	if cap(buf) < 4096 {
		buf = make([]byte, 4096)
	}
	buf = buf[:cap(buf)]
	link := d.link[:]
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return buf, wrap("list", d.path("fd"), err)
		}
		if n <= 0 {
			return buf, nil
		}
		for name := range dirents(buf[:n]) {
			num, ok := fdNumber(name)
			if !ok || num < from {
				continue // "." and "..", or reported by probeFDLinks
			}
			l, err := readlinkatZ(fd, &name[0], link[:])
			if err != nil || l >= len(link) {
				// Closed meanwhile, or too long for a namespace's
				// link text (a path): nothing to report.
				continue
			}
			each(num, link[:l])
		}
		if d.proc && len(buf)-n >= maxFDDirent {
			return buf, nil
		}
	}
}

// maxProbedFDs is the most fds probeFDLinks reads by number; a process
// with more is listed. The names are made once, NUL-terminated.
const maxProbedFDs = 64

var probedFDNames = func() (names [maxProbedFDs]string) {
	for i := range names {
		names[i] = "fd/" + strconv.Itoa(i) + "\x00"
	}
	return names
}()

// probeFDLinks reads the fd links of a process whose fds are 0 to n-1
// without listing its fd directory. Since Linux 6.2 the size of
// /proc/PID/fd is the number of open fds, and the kernel hands out the
// lowest free fd, so most processes hold exactly 0 to n-1: reading those
// names finds every fd with one statx instead of an open, a getdents64 and
// a close, and without the dentry getdents64 makes for each fd (at 10,000
// processes, a tenth of nsview ns). It reports the fds it read before the
// first missing one (a gap, or an fd closed meanwhile); from is that fd,
// from which a listing must go on. done says there is nothing left to
// list: every fd was read, or none may be (another user's process).
func (d *osProcDir) probeFDLinks(each func(fd int, link []byte)) (from int, done bool, err error) {
	var stx unix.Statx_t
	// Raw for the reason readlinkatZ is: counting a process's fds cannot
	// block. Any error, EINTR included, leaves the fds to the listing.
	_, _, errno := unix.RawSyscall6(unix.SYS_STATX, uintptr(d.fd), uintptr(unsafe.Pointer(unsafe.StringData("fd\x00"))),
		0, unix.STATX_SIZE, uintptr(unsafe.Pointer(&stx)), 0)
	// Size 0 is a kernel before 6.2 (or no fds at all, which a listing
	// tells as cheaply); a size over the table of names is listed too.
	if errno != 0 || stx.Mask&unix.STATX_SIZE == 0 || stx.Size == 0 || stx.Size > maxProbedFDs {
		return 0, false, nil
	}
	link := d.link[:]
	for i := range int(stx.Size) {
		l, err := readlinkatZ(d.fd, unsafe.StringData(probedFDNames[i]), link)
		switch {
		case err == unix.EACCES || err == unix.EPERM:
			// The listing would be refused as well.
			return i, true, wrap("readlink", d.path("fd", strconv.Itoa(i)), err)
		case err != nil:
			return i, false, nil
		case l < len(link):
			each(i, link[:l])
		}
	}
	return int(stx.Size), true, nil
}

// dirents yields the names in a getdents64 buffer, each NUL-terminated
// and at least one byte long (struct linux_dirent64: the record length at
// offset 16, the name from offset 19).
func dirents(b []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for len(b) >= 20 {
			reclen := int(uint16(b[16]) | uint16(b[17])<<8)
			if reclen < 20 || reclen > len(b) {
				return
			}
			name := b[19:reclen]
			b = b[reclen:]
			if !yield(name) {
				return
			}
		}
	}
}

// fdNumber parses a NUL-terminated directory entry name of up to 10 digits
// (an fd, or a PID).
func fdNumber(name []byte) (int, bool) {
	n := 0
	for i, c := range name {
		switch {
		case c == 0:
			return n, i > 0
		case c < '0' || c > '9' || i >= 10:
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return 0, false
}

// readlinkatZ is readlinkat(2) with a name that is already NUL-terminated,
// so that reading a link allocates nothing. It is a raw syscall: the links
// it reads (ns/*, fd/*) are answered from the kernel's own structures under
// spinlocks, never by waiting on the target process or a filesystem, so
// telling the scheduler about a block that cannot happen only costs (about
// 10% of nsview ns and nsview snapshot at 10,000 processes). Files such as
// cmdline, which can wait on the target's memory, go through os/unix reads.
func readlinkatZ(dirfd int, name *byte, buf []byte) (int, error) {
	for {
		n, _, errno := unix.RawSyscall6(unix.SYS_READLINKAT, uintptr(dirfd), uintptr(unsafe.Pointer(name)),
			uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0)
		switch errno {
		case 0:
			return int(n), nil
		case unix.EINTR:
			continue
		}
		return 0, errno
	}
}

// readlinkZ reads the link nameZ (NUL-terminated) into the directory's own
// buffer, valid until the next read. A link text that fills it may have
// been cut: it is read again by Readlink.
func (d *osProcDir) readlinkZ(nameZ string) ([]byte, error) {
	n, err := readlinkatZ(d.fd, unsafe.StringData(nameZ), d.link[:])
	name := nameZ[:len(nameZ)-1]
	if err != nil {
		return nil, wrap("readlink", d.path(name), err)
	}
	if n == len(d.link) {
		s, err := d.Readlink(name)
		if err != nil {
			return nil, err
		}
		return []byte(s), nil
	}
	return d.link[:n], nil
}

func (d *osProcDir) ReadDirNames(name string) ([]string, error) {
	fd, err := openat(d.fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return nil, wrap("open", d.path(name), err)
	}
	f := os.NewFile(uintptr(fd), d.path(name))
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, wrap("list", d.path(name), err)
	}
	return names, nil
}

func (d *osProcDir) Owner() (uint32, error) {
	var st unix.Stat_t
	if err := unix.Fstat(d.fd, &st); err != nil {
		return 0, wrap("stat", d.path(), err)
	}
	return st.Uid, nil
}

func (d *osProcDir) Close() error {
	if d.fd < 0 {
		return nil
	}
	err := unix.Close(d.fd)
	d.fd = -1
	return err
}

// pathMax is the stack buffer in which openat and OpenProc make names
// NUL-terminated; longer ones (a proc mount deep in the tree) take
// unix.Openat's allocation.
const pathMax = 256

// openat opens name relative to dirfd without allocating: the name is made
// NUL-terminated on the stack (unix.Openat allocates a copy for every call,
// five per process in a full scan).
func openat(dirfd int, name string, flags int) (int, error) {
	var b [pathMax]byte
	return openatBytes(dirfd, append(b[:0], name...), flags)
}

// openatBytes is openat with the name in a buffer; without room for its NUL
// there (or with a NUL in it, which openat(2) refuses) it goes through
// unix.Openat.
func openatBytes(dirfd int, name []byte, flags int) (int, error) {
	if len(name) >= cap(name) || bytes.IndexByte(name, 0) >= 0 {
		return openatAlloc(dirfd, string(name), flags)
	}
	z := append(name, 0)
	for {
		fd, _, errno := unix.Syscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(&z[0])), uintptr(flags), 0, 0, 0)
		switch errno {
		case 0:
			return int(fd), nil
		case unix.EINTR:
			continue
		}
		return -1, errno
	}
}

// openatAlloc retries openat(2) on EINTR, as package os does: a signal
// during the call is not the file's fault.
func openatAlloc(dirfd int, name string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}
