//go:build !linux

package tree

func kernelRelease() string { return "" }
