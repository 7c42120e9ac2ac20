package server

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
)

// testTimeout is the store deadline of the servers under test, in place of
// the 5 s a respondent's page has (DefaultRespondentTimeout): on a busy
// machine (CI runs other packages' tests beside these) a store call can
// take longer, and its page would be a 503. It bounds a hung call, not a
// speed; no test here is of what the deadlines do.
const testTimeout = time.Minute

// testServer is a server on a fresh embedded store with the bundled
// surveys, and a clock the test moves.
func testServer(t *testing.T, now *time.Time) (*Server, *sqlite.Store, *survey.Catalogue) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(context.Background()) })
	cat, err := survey.LoadDir(os.DirFS("../../surveys"), "../../surveys")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Store: st, Surveys: cat, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return *now },
		RespondentTimeout: testTimeout, StaffTimeout: testTimeout})
	if err != nil {
		t.Fatal(err)
	}
	return s, st, cat
}

// TestRoundsFollowTheClock checks that a schedule opens and closes a round
// by the server's clock, that practice rounds are left out of comparable
// rounds, and that added rounds come after the file's.
func TestRoundsFollowTheClock(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	s, st, cat := testServer(t, &now)
	d, _ := cat.Survey("integrated-working")
	opens, closes := now.Add(time.Hour), now.Add(3*time.Hour)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.SetRoundState(ctx, store.RoundState{SurveyID: d.ID, Round: "baseline", Open: true, OpensAt: opens, ClosesAt: closes, Created: now}))
	must(st.SetRoundState(ctx, store.RoundState{SurveyID: d.ID, Round: "follow-up", Open: true, Practice: true, Created: now}))
	must(st.AddRound(ctx, store.RoundState{SurveyID: d.ID, Round: "spring", Label: "Spring", Added: true, Open: true, Created: now}))

	status := func(at time.Time) int {
		now = at
		resp, err := s.App().Test(httptest.NewRequest("GET", "/s/"+d.ID+"/baseline", nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		at   time.Time
		want int
	}{{opens.Add(-time.Second), 410}, {opens, 200}, {closes.Add(-time.Second), 200}, {closes, 410}} {
		if got := status(tc.at); got != tc.want {
			t.Errorf("at %v: %d, want %d", tc.at, got, tc.want)
		}
	}

	comparable, err := rounds.Comparable(ctx, st, d, now)
	must(err)
	var ids []string
	for _, r := range comparable {
		ids = append(ids, r.ID)
	}
	if len(ids) != 2 || ids[0] != "baseline" || ids[1] != "spring" {
		t.Errorf("comparable rounds %v, want baseline and spring (follow-up is practice)", ids)
	}
}

// TestReadinessWhenTheStoreIsGone: /readyz answers 503 once the store no
// longer answers, and /healthz still answers.
func TestReadinessWhenTheStoreIsGone(t *testing.T) {
	now := time.Now()
	s, st, _ := testServer(t, &now)
	st.Close(context.Background())
	for path, want := range map[string]int{"/readyz": 503, "/healthz": 200} {
		resp, err := s.App().Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s with the store closed: %d, want %d", path, resp.StatusCode, want)
		}
	}
}
