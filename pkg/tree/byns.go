package tree

import "io"

// WriteByNamespace writes the PID namespaces as branches.
func (s *Snapshot) WriteByNamespace(w io.Writer, v *View) error { return nil }
