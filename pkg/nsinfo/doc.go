// Package nsinfo reads the namespaces of one process from a mounted /proc:
// the eight namespace links, the NSpid chain, and the nsfs ioctls that reveal
// a namespace's kernel ID, parent, owning user namespace and owner UID.
//
// Every read distinguishes three outcomes, because a live /proc produces all
// three all the time: the process vanished (ErrVanished: skip it), access was
// denied (ErrDenied: show the fact as unknown), or something else went wrong
// (a wrapped error that callers report). Callers compare with errors.Is.
//
// Syscalls live in *_linux.go files; on other systems the same API returns
// errors.ErrUnsupported, so the types and parsers build anywhere.
package nsinfo
