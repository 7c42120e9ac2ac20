package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/store/storetest"
	"iwtoolkit/internal/survey"
)

// killPlan is what the child process tallies.
var killPlan = store.TallyPlan{SurveyID: "iw", Breakdowns: [6]string{"sector", "", "role"}, Keys: []string{"caf-1", "caf-2", "tac-1"},
	Strands: []store.Strand{{ID: "caf", Items: []string{"caf-1", "caf-2"}}}}

// TestKillDuringSubmissions runs a child process that submits without end,
// kills it with SIGKILL mid-stream, reopens the database and checks that
// the tallies equal a recount of the responses that were stored.
func TestKillDuringSubmissions(t *testing.T) {
	if dir := os.Getenv("IWT_KILL_CHILD_DIR"); dir != "" {
		submitForever(dir)
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestKillDuringSubmissions$")
	cmd.Env = append(os.Environ(), "IWT_KILL_CHILD_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The child says when it has stored some and goes on submitting: it is
	// killed then, mid-stream, however busy the machine (a bound, not a
	// speed).
	storing := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == childStoring {
				storing <- true
				break
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case <-storing:
		time.Sleep(500 * time.Millisecond) // further into the stream; not a bound
	case <-time.After(2 * time.Minute):
		t.Error("the child did not start storing within 2 minutes")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	n := 0
	if err := s.EachResponse(ctx, "iw", []string{"baseline"}, func(survey.Response) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("the child stored nothing before it was killed")
	}
	storetest.TalliesMatchResponses(t, s, killPlan, "baseline")
	t.Logf("%d responses stored before the kill", n)
}

func submitForever(dir string) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, dir)
	if err != nil {
		os.Exit(3)
	}
	s.PlanTallies(killPlan)
	for i := 0; ; i++ {
		r := storetest.Response(i, "iw", "baseline", time.Now())
		r.Answers["caf-1"] = fmt.Sprint(1 + i%5)
		if _, err := s.Submit(ctx, r); err != nil {
			os.Exit(4)
		}
		if i == 20 {
			fmt.Println(childStoring)
		}
	}
}

// childStoring is the line the child prints once it has stored responses.
const childStoring = "storing"
