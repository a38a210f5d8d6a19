// Command nsview shows Linux processes the way PID namespaces number them:
// a pstree- and lsns-compatible CLI, PID translation, a spawner of new PID
// namespaces, snapshots, and a live terminal UI.
//
// Every command is built by a constructor that takes the shared options
// (newTreeCmd(g) and so on); RunE returns errors, and run (exit.go) is the
// one place that prints them and maps them to exit codes.
package main
