package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Chromium returns the path of Debian's chromium, the browser the page
// tests drive. Without it on PATH the test skips, saying how to install
// it, unless IWT_BROWSER_TESTS=required (as in CI), when it fails. A test
// that needs a browser calls it first, so that it skips as a whole with
// one line.
func Chromium(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		const msg = "chromium is not installed: apt-get install chromium to run the browser tests (IWT_BROWSER_TESTS=required makes this a failure)"
		if os.Getenv("IWT_BROWSER_TESTS") == "required" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}
