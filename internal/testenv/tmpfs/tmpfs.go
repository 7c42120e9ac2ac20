// Package tmpfs gives tests a small disk of their own, a tmpfs, to fill up
// or make read-only, for the faults a real disk has. Mounting needs root
// (CAP_SYS_ADMIN) on Linux; elsewhere, or without it, the test is skipped
// with a message that says what it needs. Only tests import this package.
package tmpfs

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Disk is a mounted tmpfs.
type Disk struct {
	Dir    string // where it is mounted
	filler string
}

// Fill writes a file until the disk has no space left.
func (d *Disk) Fill(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(d.Dir, "filler"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d.filler = f.Name()
	page := make([]byte, 4096)
	for {
		if _, err := f.Write(page); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return
			}
			t.Fatal(err)
		}
	}
}

// Free removes what Fill wrote.
func (d *Disk) Free(t testing.TB) {
	t.Helper()
	if d.filler == "" {
		return
	}
	if err := os.Remove(d.filler); err != nil {
		t.Fatal(err)
	}
	d.filler = ""
}
