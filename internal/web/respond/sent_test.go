package respond_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

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
