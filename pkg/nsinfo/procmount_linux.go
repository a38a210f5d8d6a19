package nsinfo

import (
	"bytes"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Mount returns how the proc filesystem is mounted (its hidepid= and
// subset= options), from the caller's mount table; ok is false when that
// cannot be told (a fixture directory, an unreadable table).
func (p *ProcFS) Mount() (m ProcMount, ok bool) {
	var st unix.Stat_t
	if err := unix.Stat(p.Path, &st); err != nil {
		return m, false
	}
	dev := strconv.FormatUint(uint64(unix.Major(st.Dev)), 10) + ":" + strconv.FormatUint(uint64(unix.Minor(st.Dev)), 10)
	var table []byte
	for _, path := range []string{p.Path + "/self/mountinfo", "/proc/self/mountinfo"} {
		if b, err := os.ReadFile(path); err == nil {
			table = b
			break
		}
	}
	for line := range bytes.Lines(table) {
		line = bytes.TrimSuffix(line, []byte{'\n'})
		// ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER
		f := strings.Fields(string(line))
		if len(f) < 3 || f[2] != dev {
			continue
		}
		sep := -1
		for i, x := range f {
			if x == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+3 >= len(f) || f[sep+1] != "proc" {
			continue
		}
		for _, o := range strings.Split(f[sep+3], ",") {
			switch k, v, _ := strings.Cut(o, "="); k {
			case "hidepid":
				m.Hidepid = v
			case "subset":
				m.SubsetPID = v == "pid"
			}
		}
		return m, true
	}
	return m, false
}
