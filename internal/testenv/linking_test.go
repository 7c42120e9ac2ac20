package testenv_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTestenvNotLinked checks that the service binary links neither this
// package, nor webtest, nor any MongoDB stand-in (FerretDB): they are for
// tests only.
func TestTestenvNotLinked(t *testing.T) {
	const binary = "iwtoolkit/cmd/iwtoolkit"
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	dir, err := exec.Command(goTool, "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	mains, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(dir)), "cmd", "iwtoolkit", "*.go"))
	if !hasNonTestFile(mains) {
		t.Skipf("%s has no Go files yet", binary)
	}
	out, err := exec.Command(goTool, "list", "-deps", binary).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", binary, err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "FerretDB") || dep == "iwtoolkit/internal/testenv" || dep == "iwtoolkit/internal/webtest" {
			t.Errorf("%s links %s", binary, dep)
		}
	}
}

func hasNonTestFile(paths []string) bool {
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && !strings.HasSuffix(p, "_test.go") {
			return true
		}
	}
	return false
}
