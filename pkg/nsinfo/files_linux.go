package nsinfo

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// OSFiles returns the Files of the real filesystem below root. Each process
// directory is opened once with O_PATH and every file of the process is read
// relative to it with openat/readlinkat, which is both the cheapest way in
// syscalls and immune to PID reuse between two reads of one process.
func OSFiles(root string) Files { return osFiles{root: root} }

type osFiles struct{ root string }

func (f osFiles) OpenProc(pid int) (ProcDir, error) {
	name := "self"
	if pid > 0 {
		name = strconv.Itoa(pid)
	}
	path := f.root + "/" + name
	fd, err := unix.Open(path, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, wrap("open", path, err)
	}
	return &osProcDir{fd: fd, path: path}, nil
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
	path string
}

func (d *osProcDir) ReadFile(name string, buf []byte) ([]byte, error) {
	fd, err := openat(d.fd, name, unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return buf[:0], wrap("open", d.path+"/"+name, err)
	}
	defer unix.Close(fd)
	buf, err = readAll(fd, buf)
	if err != nil {
		return buf, wrap("read", d.path+"/"+name, err)
	}
	return buf, nil
}

// readAll reads fd to its end into buf, growing it as needed. A read that
// does not fill the space offered is taken as the end, which saves the
// second read(2) that would return 0: proc files are made whole on the
// first read (seq_file, and cmdline's loop over the argument pages) and
// handed out as far as they fit, and a regular file (a fixture) returns less
// than asked only at its end.
func readAll(fd int, buf []byte) ([]byte, error) {
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
		if n == 0 || n < space {
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
	buf, err = readAll(fd, buf)
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
		return "", wrap("readlink", d.path+"/"+name, err)
	}
	if n == len(b) { // cannot happen for ns links; be correct anyway
		s, err := os.Readlink(d.path + "/" + name)
		if err != nil {
			return "", wrap("readlink", d.path+"/"+name, err)
		}
		return s, nil
	}
	return string(b[:n]), nil
}

func (d *osProcDir) ReadDirNames(name string) ([]string, error) {
	fd, err := openat(d.fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return nil, wrap("open", d.path+"/"+name, err)
	}
	f := os.NewFile(uintptr(fd), d.path+"/"+name)
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, wrap("list", d.path+"/"+name, err)
	}
	return names, nil
}

func (d *osProcDir) Owner() (uint32, error) {
	var st unix.Stat_t
	if err := unix.Fstat(d.fd, &st); err != nil {
		return 0, wrap("stat", d.path, err)
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

// openat retries openat(2) on EINTR, as package os does: a signal during the
// call is not the file's fault.
func openat(dirfd int, name string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}
