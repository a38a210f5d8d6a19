// Package ui is nsview's terminal UI (Bubble Tea v2): the host's process
// tree on the left, the selected process's PID namespace as it sees itself
// on the right, the process's details below, live refresh, search, folds,
// and sandboxes spawned from the keyboard.
//
// The model is a root Model composed of panes (treePane, nsList, details),
// each with SetSize and a View of exactly its size; key bindings (keys.go)
// and styles (styles.go) are defined once; every event is a documented
// message type (msgs.go). /proc is read only in tea.Cmds, through a Source;
// Update and View work on the snapshot a scan returned. Only the rows on
// screen are drawn.
//
// Run starts the UI on the terminal and makes sure it is restored, and the
// sandboxes ended, however the UI ends: q, Ctrl-C, SIGTERM, SIGHUP or a
// panic.
package ui
