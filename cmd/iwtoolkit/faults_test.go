package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"iwtoolkit/internal/survey"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"iwtoolkit/internal/testenv/tmpfs"
)

// runBinary runs the program as its own process, as an operator would (the
// test binary, told to run main), with the environment e and stdin, and
// returns its exit code and what it wrote to standard output and error. A
// serve that starts listening is stopped and reported: no command here
// should.
func runBinary(t *testing.T, e env, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := binaryCmd(e, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var so strings.Builder
	cmd.Stdout = &so
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), `"msg":"listening"`) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("iwtoolkit %s started serving:\n%s", strings.Join(args, " "), out.String())
		}
	}
	io.Copy(io.Discard, pipe)
	err = cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), so.String(), out.String()
}

// Two processes on one data folder: while a service runs, every command
// that opens the embedded store is refused at once, exits 1 and says why;
// once the service stops, the folder is free again.
func TestSecondProcessRefused(t *testing.T) {
	e := sqliteEnv(t)
	svc := start(t, e)
	want := fmt.Sprintf("sqlite: data directory %s is in use by another iwtoolkit process (pid %d); only one process at a time may use a data directory\n", e["IWT_DATA_DIR"], os.Getpid())
	recount := []string{"recount", "--survey", "integrated-working", "--round", "baseline"}
	for _, args := range [][]string{
		{"serve"},
		{"seed", "--responses", "1"},
		recount,
		{"add-user", "--email", "second@example.org", "--name", "Second", "--role", "admin"},
	} {
		code, _, stderr := runBinary(t, e, "a long admin password\n", args...)
		if code != 1 || stderr != want {
			t.Errorf("iwtoolkit %s while a service uses the folder: exit %d\n%s\nwant exit 1 and %q", strings.Join(args, " "), code, stderr, want)
		}
	}
	// invite and remind say to use the staff page, which does the same.
	list := filepath.Join(t.TempDir(), "contacts.csv")
	if err := os.WriteFile(list, []byte("email\nsam@example.org\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"invite", "--survey", "integrated-working", "--round", "baseline", "--organisation", "police", "--contacts", list}, "if that is the service, upload the list at /staff/contacts instead"},
		{[]string{"remind", "--survey", "integrated-working", "--round", "baseline"}, "use the reminder button at /staff/contacts instead"},
	} {
		code, _, stderr := runBinary(t, e, "", c.args...)
		if code != 1 || !strings.Contains(stderr, c.args[0]+": the embedded store in "+e["IWT_DATA_DIR"]+" is in use by another iwtoolkit process (pid ") || !strings.Contains(stderr, c.says) {
			t.Errorf("iwtoolkit %s while a service uses the folder: exit %d\n%s\nwant exit 1 and %q", c.args[0], code, stderr, c.says)
		}
	}
	// check reads the versions served beside the service (read-only, as
	// SQLite lets readers beside a writer) and compares the files with them.
	code, stdout, stderr := runBinary(t, e, "", "check", "../../surveys")
	if code != 0 || strings.Contains(stdout, "not compared") || !strings.Contains(stdout, "0 warnings about changes to live surveys") {
		t.Errorf("iwtoolkit check while a service uses the folder: exit %d\n%s%s", code, stdout, stderr)
	}
	svc.stop()
	if code, _, stderr := runBinary(t, e, "", recount...); code != 0 {
		t.Errorf("iwtoolkit recount after the service stopped: exit %d\n%s", code, stderr)
	}
	start(t, e) // and a service starts there again
}

// A service whose disk fills up keeps running: a respondent's answers
// that cannot be saved get an error page, not a crash or a page that says
// they were saved; /readyz stays ready (see below); and once there is room
// again the same answers are saved without a restart.
//
// /readyz checks that the store answers (a read). It does not fail on a
// full disk: the embedded store serves one instance, so a load balancer
// that took it out would turn every page, reports and the respondent's
// "try again" alike, into its own error; the log has each failed write.
func TestServiceOnFullDisk(t *testing.T) {
	disk := tmpfs.Mount(t, "4m")
	e := sqliteEnv(t)
	e["IWT_DATA_DIR"] = disk.Dir
	svc := start(t, e)
	d := bundled(t)
	flow := "/s/" + d.ID + "/baseline"
	first, second := d.Sections[0], d.Sections[1]
	b := newBrowser(t, svc.URL)
	b.postWithToken(flow+"/section/"+first.ID, answer(d, first, map[string]string{}, respondent{Level: "3"}, 0)).must(t, http.StatusOK)

	disk.Fill(t)
	form := answer(d, second, map[string]string{}, respondent{Level: "2"}, 0)
	// The page comes back with what was entered and a "try again".
	p := b.postWithToken(flow+"/section/"+second.ID, form).must(t, http.StatusServiceUnavailable)
	if want := survey.Message("en", "not-saved"); !strings.Contains(p.Body, want) {
		t.Errorf("saving answers on a full disk: no %q\n%s", want, text(p.Body))
	}
	checkedRadios(t, p.Body, form, "saving answers on a full disk")
	newBrowser(t, svc.URL).get("/healthz").must(t, http.StatusOK)
	if r := b.get("/readyz"); r.Status != http.StatusOK || r.Body != "ready\n" {
		t.Errorf("/readyz on a full disk: %d %q, want 200 ready", r.Status, r.Body)
	}

	disk.Free(t)
	p = b.postWithToken(flow+"/section/"+second.ID, form).must(t, http.StatusOK)
	if p.URL.Path == flow+"/section/"+second.ID {
		t.Errorf("saving the same answers once there is room: still on the section\n%s", text(p.Body))
	}
}

// serve refuses at once, in words that say why, a data folder on a disk
// too full to set up the database, and one on a read-only disk.
func TestServeRefusesUnusableDataDir(t *testing.T) {
	disk := tmpfs.Mount(t, "1m")
	e := sqliteEnv(t)
	e["IWT_DATA_DIR"] = filepath.Join(disk.Dir, "data")
	disk.Fill(t)
	err := run(context.Background(), nil, e.getenv, io.Discard, io.Discard)
	if want := "sqlite: cannot set up the database in " + e["IWT_DATA_DIR"] + ": the disk is full: "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("serve on a full disk: %v\nwant an error beginning %q", err, want)
	}
	t.Logf("serve on a full disk: %v", err)

	disk.Free(t)
	disk.ReadOnly(t)
	err = run(context.Background(), nil, e.getenv, io.Discard, io.Discard)
	if want := "sqlite: data directory " + e["IWT_DATA_DIR"] + " is not writable: "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("serve on a read-only disk: %v\nwant an error beginning %q", err, want)
	}
	t.Logf("serve on a read-only disk: %v", err)
}
