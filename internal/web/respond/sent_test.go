package respond_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/webtest"
)

// Going back after sending, or sending again, shows that the answers were
// sent (the confirmation, with the reference), never an empty check-answers
// page with a Send button. A new person at the start page starts afresh.
func TestBackAfterSending(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	flow := "/s/" + d.ID + "/baseline"
	b := e.Browser()
	answerAll(t, b, d, "baseline")
	ref := send(t, b, flow)
	for _, path := range []string{flow + "/check", flow + "/tasks", flow + "/section/" + d.Sections[0].ID} {
		p := b.Get(path).Must(http.StatusOK)
		if p.URL.Path != flow+"/done" || !strings.Contains(p.Body, ref) || strings.Contains(p.Body, "Send your answers") {
			t.Errorf("back to %s after sending: at %s: %s", path, p.URL.Path, p.Text())
		}
	}
	token := b.Get(flow + "/resume").CSRF()
	p := b.Post(flow+"/check", url.Values{"csrf_token": {token}}).Must(http.StatusOK)
	if p.URL.Path != flow+"/done" || !strings.Contains(p.Body, ref) {
		t.Errorf("sending again: at %s: %s", p.URL.Path, p.Text())
	}
	// The start page is a new person's (a shared computer).
	b.Get(flow).Must(http.StatusOK)
	if p := b.Get(flow + "/check").Must(http.StatusOK); p.URL.Path != flow+"/check" {
		t.Errorf("after the start page, check answers led to %s", p.URL.Path)
	}
}

// Every page of a round's flow, which may show answers, is kept out of
// the browser's cache, so that the back button on a shared computer shows
// nothing of the last person's.
func TestFlowPagesAreNotCached(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	flow := "/s/" + d.ID + "/baseline"
	b := e.Browser()
	first := d.Sections[0]
	b.PostWithToken(flow+"/section/"+first.ID, answer(d, first, map[string]string{}, webtest.Respondent{Level: "3"}, 0)).Must(http.StatusOK)
	paths := []string{flow, flow + "/section/" + first.ID, flow + "/tasks", flow + "/check", flow + "/resume", flow + "/nothing-here"}
	kids := e.Survey("children")
	paths = append(paths, "/s/"+kids.ID+"/baseline/stop")
	for _, path := range paths {
		p := b.Get(path)
		if got := p.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s (%d): Cache-Control %q, want no-store", path, p.Status, got)
		}
	}
	answerAll(t, b, d, "baseline")
	send(t, b, flow)
	if got := b.Get(flow + "/done").Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("confirmation: Cache-Control %q", got)
	}
}

// A respondent is told their answers were sent exactly when they were
// stored, whatever fails after storing them. The store is broken the
// way an outage breaks it between two writes: the "sent" secret, which
// the sent cookie's MAC needs and which is first read at a send, cannot
// be read (its table is renamed behind the service's back). Before,
// the answers were stored and the send then failed on the secret, so
// the respondent was told "not sent" of stored answers (28 of 400
// respondents, with MongoDB stepped down under load). Once the table is
// back, sending again confirms one response.
func TestToldSentExactlyWhenStored(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := webtest.SQLiteIn(t, dir)
	serve(t, e)
	d := e.Survey("integrated-working")
	flow := "/s/" + d.ID + "/baseline"
	b := e.Browser()
	answerAll(t, b, d, "baseline")
	stored, rename := behindTheService(t, e, dir, d.ID)
	rename("secrets", "secrets_away")
	p := b.PostFrom(flow+"/resume", flow+"/check", nil)
	told := p.Status == http.StatusOK && p.URL.Path == flow+"/done"
	if n := stored(); told != (n == 1) {
		t.Fatalf("with the secret unreadable: told sent %v, %d stored (status %d at %s): %s", told, n, p.Status, p.URL.Path, p.Text())
	}
	rename("secrets_away", "secrets")
	ref := send(t, b, flow)
	if n := stored(); n != 1 {
		t.Errorf("after sending again (%s): %d responses stored, want 1", ref, n)
	}
}

// behindTheService gives a test on the embedded store in dir the number
// of responses stored to a survey's baseline, and a way to rename a table
// behind the service (to break one write, then mend it).
func behindTheService(t *testing.T, e *webtest.Env, dir, surveyID string) (stored func() int, rename func(from, to string)) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	stored = func() int {
		n := 0
		if err := e.Store.EachResponse(context.Background(), surveyID, []string{"baseline"}, func(survey.Response) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	rename = func(from, to string) {
		t.Helper()
		if _, err := db.Exec(`ALTER TABLE ` + from + ` RENAME TO ` + to); err != nil {
			t.Fatal(err)
		}
	}
	return stored, rename
}
