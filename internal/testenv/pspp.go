package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// PSPP returns the path of GNU PSPP, the real reader the SPSS exports are
// tested with. Without it the test skips, saying how to install it, unless
// IWT_PSPP_TESTS=required (as in CI), when it fails.
func PSPP(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("pspp")
	if err != nil {
		if os.Getenv("IWT_PSPP_TESTS") == "required" {
			t.Fatal("IWT_PSPP_TESTS=required but pspp is not installed (apt-get install pspp)")
		}
		t.Skip("pspp is not installed: apt-get install pspp to run the SPSS tests (IWT_PSPP_TESTS=required makes this a failure)")
	}
	return path
}

// RunPSPP writes the CSV of raw responses and the SPSS syntax into dir,
// adds commands that show the dictionary and list the variables named in
// list, runs pspp there and returns its text output. Any error or warning
// from PSPP fails the test.
func RunPSPP(t testing.TB, pspp, dir, csvName string, csvData []byte, syntax, list string) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, csvName), csvData, 0o600); err != nil {
		t.Fatal(err)
	}
	syntax += "\nDISPLAY DICTIONARY.\nLIST /VARIABLES=" + list + ".\n"
	if err := os.WriteFile(filepath.Join(dir, "run.sps"), []byte(syntax), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(pspp, "-O", "format=txt", "-O", "width=200", "-o", "out.txt", "run.sps")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil || bytes.Contains(b, []byte("error:")) || bytes.Contains(b, []byte("warning:")) {
		t.Fatalf("pspp: %v\n%s", err, b)
	}
	b, err := os.ReadFile(filepath.Join(dir, "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// PSPPMissing returns the missing values PSPP's dictionary gives a
// variable, as PSPP prints them ("-1; -2", "-6 THRU -1"), or "" when it
// lists none. A cell PSPP wraps over lines is joined.
func PSPPMissing(out, name string) string {
	lines := strings.Split(out, "\n")
	for i, line := range lines {
		cells := strings.Split(line, "|")
		if len(cells) < 3 || strings.TrimSpace(cells[1]) != name {
			continue
		}
		// The table of variables' formats: Name, Position, Measurement
		// level's alignment..., Missing Values last.
		m := strings.TrimSpace(cells[len(cells)-2])
		if !strings.ContainsAny(m, "0123456789") || !strings.Contains(line, "F") {
			continue
		}
		for _, next := range lines[i+1:] {
			more := strings.Split(next, "|")
			if len(more) != len(cells) || strings.TrimSpace(more[1]) != "" {
				break
			}
			if w := strings.TrimSpace(more[len(more)-2]); w != "" {
				m += " " + w
			}
		}
		return m
	}
	return ""
}
