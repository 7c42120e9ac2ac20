package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"iwtoolkit/internal/store/sqlite"
)

// TestLockRefusesAnotherProcess: while a child process has the data folder
// open, Open refuses it, naming the folder and the child's pid; once the
// child closes the store, or is killed with SIGKILL (leaving its lock file
// behind), Open works.
func TestLockRefusesAnotherProcess(t *testing.T) {
	if dir := os.Getenv("IWT_LOCK_CHILD_DIR"); dir != "" {
		holdOpen(dir)
		return
	}
	ctx := context.Background()
	dir := t.TempDir()
	for _, end := range []string{"close", "kill"} {
		child, stdin, refused := startHolder(t, dir)
		if refused != "" {
			t.Fatalf("the child could not open the store: %s", refused)
		}
		_, err := sqlite.Open(ctx, dir)
		want := fmt.Sprintf("sqlite: data directory %s is in use by another iwtoolkit process (pid %d); only one process at a time may use a data directory", dir, child.Process.Pid)
		if err == nil || err.Error() != want {
			t.Errorf("Open while another process has the folder: %v\nwant %q", err, want)
		}
		if end == "close" {
			stdin.Close()
			if err := child.Wait(); err != nil {
				t.Fatalf("child: %v", err)
			}
		} else {
			child.Process.Kill()
			child.Wait()
			if b, err := os.ReadFile(filepath.Join(dir, sqlite.LockName)); err != nil || strings.TrimSpace(string(b)) != fmt.Sprint(child.Process.Pid) {
				t.Errorf("lock file after the kill: %q, %v; want the killed child's pid", b, err)
			}
		}
		s, err := sqlite.Open(ctx, dir)
		if err != nil {
			t.Fatalf("Open after the other process ended (%s): %v", end, err)
		}
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// startHolder starts a child process that opens the store in dir and says
// so; it closes the store and exits when its standard input is closed.
// If the child cannot open the store, startHolder returns its error.
func startHolder(t *testing.T, dir string) (cmd *exec.Cmd, stdin io.WriteCloser, refused string) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "-test.run", "^TestLockRefusesAnotherProcess$")
	cmd.Env = append(os.Environ(), "IWT_LOCK_CHILD_DIR="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line == "open\n" {
		return cmd, stdin, ""
	}
	cmd.Wait()
	if stderr.Len() == 0 {
		t.Fatalf("the child neither opened the store nor said why not: %v", cmd.ProcessState)
	}
	return cmd, stdin, strings.TrimSpace(stderr.String())
}

func holdOpen(dir string) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	fmt.Println("open")
	io.Copy(io.Discard, os.Stdin)
	if err := s.Close(ctx); err != nil {
		os.Exit(4)
	}
	os.Exit(0)
}

// TestLockSharedInProcess: stores opened on one folder in one process
// share its lock, which is released when the last of them closes.
func TestLockSharedInProcess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sqlite.Open(ctx, dir+"/.")
	if err != nil {
		t.Fatalf("a second store in the same process: %v", err)
	}
	a.Close(ctx)
	a.Close(ctx) // a second Close does not release b's share
	want := fmt.Sprintf("sqlite: data directory %s is in use by another iwtoolkit process (pid %d)", dir, os.Getpid())
	if _, _, refused := startHolder(t, dir); !strings.HasPrefix(refused, want) {
		t.Errorf("another process, while a store here has the folder open: %q\nwant a refusal beginning %q", refused, want)
	}
	b.Close(ctx)
	if _, _, refused := startHolder(t, dir); refused != "" {
		t.Errorf("another process, once every store here is closed: %s", refused)
	}
}
