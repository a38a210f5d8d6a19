//go:build !linux

package nsinfo

import "errors"

// OSFiles returns Files that fail with errors.ErrUnsupported: /proc is Linux's.
func OSFiles(root string) Files { return unsupportedFiles{} }

type unsupportedFiles struct{}

func (unsupportedFiles) OpenProc(int) (ProcDir, error)         { return nil, errors.ErrUnsupported }
func (unsupportedFiles) ReadDirNames(string) ([]string, error) { return nil, errors.ErrUnsupported }
func (unsupportedFiles) Readlink(string) (string, error)       { return "", errors.ErrUnsupported }
