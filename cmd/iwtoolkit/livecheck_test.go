package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCheckWarnsAboutLiveChanges serves testdata/live/before, then checks
// testdata/live/after against what was served: each kind of change is
// warned about at its line, warnings exit 0 unless --strict, and a reworded
// but similar statement is not reported. An indicator taken out is said,
// as information, from the live version's text.
func TestCheckWarnsAboutLiveChanges(t *testing.T) {
	for name, newEnv := range map[string]func(*testing.T) env{"sqlite": sqliteEnv, "mongodb": mongoEnv} {
		t.Run(name, func(t *testing.T) { testCheckWarnsAboutLiveChanges(t, newEnv(t)) })
	}
}

func testCheckWarnsAboutLiveChanges(t *testing.T, e env) {
	e["IWT_SURVEYS_DIR"] = "testdata/live/before"
	start(t, e).stop() // serving records the version
	start(t, e).stop() // and a second start records nothing new
	versions, err := storeOf(t, e).DefinitionVersions(context.Background(), "demo")
	if err != nil || len(versions) != 1 || len(versions[0].Fingerprints) != 6 {
		t.Fatalf("served versions %+v, %v; want one with 6 answer keys", versions, err)
	}
	v := versions[0].Version

	var out bytes.Buffer
	if err := run(context.Background(), []string{"check", "testdata/live/after"}, e.getenv, &out, io.Discard); err != nil {
		t.Fatalf("check with warnings: %v, want no error without --strict", err)
	}
	f := "testdata/live/after/demo.yaml"
	want := []string{
		f + ":33: warning: 2 questions and statements (\"caf-1\" to \"caf-2\") are rated on a changed scale \"maturity\" (levels were 1=Not yet, 2=Starting, 3=Established in version " + v + ", now 1=Not yet, 2=Starting, 3=Established, 4=Embedded): ratings before and after the change cannot be compared",
		f + ":34: warning: the text of \"caf-2\" shares only 0% of its words with version " + v + " (\"I know who to ask for help with a CAF.\", now \"Lunch breaks are long enough.\"): if the id is reused for a different question, give it a new id (a simple word-overlap measure: check by reading)",
		f + ":35: warning: \"trained\" was a yes-no question in version " + v + " and is a choice question now: its old and new answers cannot be compared; give the new question a new id",
		f + ": info: \"team-plans\" (last in version " + v + ") is no longer in the file: it is kept in old responses",
		// From the live version's text, as the staff pages say of a draft;
		// the fingerprints above are as they were.
		f + ": info: indicator \"topic-demand\" (Topics wanted) is taken out: reports will no longer show it, for earlier rounds either",
	}
	var got []string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, f+":") && (strings.Contains(l, ": warning: ") || strings.Contains(l, ": info: ")) {
			got = append(got, l)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("check output (-want +got):\n%s\n%s", diff, out.String())
	}
	if !strings.Contains(out.String(), "1 surveys, no problems, 0 warnings in the files, 3 warnings about changes to live surveys") {
		t.Errorf("check summary:\n%s", out.String())
	}
	err = run(context.Background(), []string{"check", "--strict", "testdata/live/after"}, e.getenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "3 warnings (--strict)") {
		t.Errorf("check --strict with warnings: %v, want an error", err)
	}
	// The same while the service runs on the store: compared read-only
	// beside it, not refused as in use.
	running := start(t, e)
	out.Reset()
	err = run(context.Background(), []string{"check", "--strict", "testdata/live/after"}, e.getenv, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "3 warnings (--strict)") || strings.Contains(out.String(), "not compared") {
		t.Errorf("check --strict while the service runs: %v\n%s", err, out.String())
	}
	running.stop()
	// The file that was served: nothing to say, even with --strict.
	out.Reset()
	if err := run(context.Background(), []string{"check", "--strict", "testdata/live/before"}, e.getenv, &out, io.Discard); err != nil || strings.Contains(out.String(), "warning:") {
		t.Errorf("check --strict of the served file: %v\n%s", err, out.String())
	}
}

// check never creates a database just to compare with it.
func TestCheckCreatesNoStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	e := env{"IWT_DATA_DIR": dir}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"check", "--strict", "testdata/live/after"}, e.getenv, &out, io.Discard); err != nil {
		t.Fatalf("check with no store: %v", err)
	}
	if !strings.Contains(out.String(), "not compared with the versions served: no database at") {
		t.Errorf("check output:\n%s", out.String())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("check made the data folder: %v", err)
	}
}
