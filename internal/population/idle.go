package population

import (
	"encoding/binary"
	"runtime"
)

// IdleComm is the name the idle children show (their comm).
const IdleComm = "idle"

// idleELF returns a static x86-64 ELF executable that loops on pause(2),
// or nil on other architectures (the caller then uses `sleep infinity`).
// It has no libc, no heap and one page of text, so each idle process costs
// the kernel's minimum: its task, kernel stack, a stack page and page
// tables.
func idleELF() []byte {
	if runtime.GOARCH != "amd64" {
		return nil
	}
	const base = 0x400000
	const ehsize, phsize = 64, 56
	code := []byte{
		0xb8, 0x22, 0x00, 0x00, 0x00, // mov eax, 34 (SYS_pause)
		0x0f, 0x05, // syscall
		0xeb, 0xf7, // jmp back to the mov (a caught signal returns)
	}
	size := ehsize + phsize + len(code)
	b := make([]byte, size)
	le := binary.LittleEndian
	copy(b, []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0}) // ELF64, little endian, version 1, SysV
	le.PutUint16(b[16:], 2)                          // e_type: ET_EXEC
	le.PutUint16(b[18:], 0x3e)                       // e_machine: EM_X86_64
	le.PutUint32(b[20:], 1)                          // e_version
	le.PutUint64(b[24:], base+ehsize+phsize)         // e_entry
	le.PutUint64(b[32:], ehsize)                     // e_phoff
	le.PutUint16(b[52:], ehsize)                     // e_ehsize
	le.PutUint16(b[54:], phsize)                     // e_phentsize
	le.PutUint16(b[56:], 1)                          // e_phnum
	ph := b[ehsize:]
	le.PutUint32(ph[0:], 1)             // p_type: PT_LOAD
	le.PutUint32(ph[4:], 5)             // p_flags: R+X
	le.PutUint64(ph[16:], base)         // p_vaddr
	le.PutUint64(ph[24:], base)         // p_paddr
	le.PutUint64(ph[32:], uint64(size)) // p_filesz
	le.PutUint64(ph[40:], uint64(size)) // p_memsz
	le.PutUint64(ph[48:], 0x1000)       // p_align
	copy(b[ehsize+phsize:], code)
	return b
}
