package spawn

// start is replaced by the Linux implementation.
func start(Options) (*Sandbox, error) { return nil, ErrUnsupported }
