package tmpfs

import (
	"syscall"
	"testing"
)

// Mount mounts a tmpfs of the given size ("1m") on a new folder and
// unmounts it when the test ends, after the test's other clean-ups (so
// stores opened on it afterwards are closed first). It skips the test if
// it may not mount.
func Mount(t testing.TB, size string) *Disk {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0755"); err != nil {
		t.Skipf("this test needs to mount a tmpfs (root, or CAP_SYS_ADMIN, on Linux): mount -t tmpfs -o size=%s tmpfs %s: %v", size, dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
			syscall.Unmount(dir, syscall.MNT_DETACH)
		}
	})
	return &Disk{Dir: dir}
}

// ReadOnly remounts the disk read-only.
func (d *Disk) ReadOnly(t testing.TB) {
	t.Helper()
	if err := syscall.Mount("tmpfs", d.Dir, "tmpfs", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Fatalf("remount %s read-only: %v", d.Dir, err)
	}
}

// Resize remounts the disk, writable, with a new size ("4m").
func (d *Disk) Resize(t testing.TB, size string) {
	t.Helper()
	if err := syscall.Mount("tmpfs", d.Dir, "tmpfs", syscall.MS_REMOUNT, "size="+size); err != nil {
		t.Fatalf("remount %s with size %s: %v", d.Dir, size, err)
	}
}
