//go:build !linux

package tmpfs

import (
	"runtime"
	"testing"
)

// Mount skips the test: mounting a tmpfs is done here only on Linux.
func Mount(t testing.TB, size string) *Disk {
	t.Skipf("this test needs to mount a tmpfs, which it does only on Linux (root, or CAP_SYS_ADMIN), not on %s", runtime.GOOS)
	return nil
}

// ReadOnly is not reached: Mount skips.
func (d *Disk) ReadOnly(t testing.TB) {}

// Resize is not reached: Mount skips.
func (d *Disk) Resize(t testing.TB, size string) {}
