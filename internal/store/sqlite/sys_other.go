//go:build !unix

package sqlite

import (
	"errors"
	"os"
)

// errLocked: another open file holds the lock.
var errLocked = errors.New("locked")

// flock does nothing here: the service is built for Unix (the image is
// Linux), and elsewhere two processes on one data folder are not refused.
func flock(*os.File) error { return nil }

// diskFull says nothing here: see sys_unix.go.
func diskFull(string) bool { return false }
