package staff_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/webtest"
)

// TestSafeguardingReview checks who reaches the safeguarding review, that
// it lists flagged answers of children's surveys only, escaped, and that
// each view is audited.
func TestSafeguardingReview(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	st := e.Store
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for i, r := range []survey.Response{
		{SurveyID: "children", Round: "baseline", Answers: map[string]string{"anything-else-comment": `Someone hurts me <script>alert("x")</script>`}},
		{SurveyID: "children", Round: "baseline", Answers: map[string]string{"anything-else-comment": "I like my school"}},
		// A staff survey's comment is not a child's: not reviewed here.
		{SurveyID: "integrated-working", Round: "baseline", Answers: map[string]string{"caf-comment": "it hurts"}},
	} {
		r.Reference = "REF0" + string(rune('A'+i)) + "-00000"
		r.Version, r.Submitted, r.SubmissionKey = "test", at, "safeguarding-"+r.Reference
		if _, err := st.Submit(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}

	for role, want := range map[auth.Role]int{auth.Admin: http.StatusOK, auth.Analyst: http.StatusOK, auth.BoardViewer: http.StatusForbidden, auth.Coordinator: http.StatusForbidden} {
		org := ""
		if role == auth.Coordinator {
			org = "police"
		}
		b := staffBrowser(t, e, role, org)
		p := b.Get("/staff/safeguarding").Must(want)
		nav := b.Get("/staff").Must(http.StatusOK)
		if links := strings.Contains(nav.Body, `href="/staff/safeguarding"`); links != (want == http.StatusOK) {
			t.Errorf("%s: the navigation links to the review: %v", role, links)
		}
		if want != http.StatusOK {
			if strings.Contains(p.Body, "hurts") {
				t.Errorf("%s: the refusal shows an answer", role)
			}
			continue
		}
		flagged := webtest.Element(t, p.Body, "table", "flagged")
		if strings.Contains(p.Body, "<script>alert") || !strings.Contains(flagged, `Someone hurts me &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`) {
			t.Errorf("%s: the flagged answer is missing or not escaped:\n%s", role, flagged)
		}
		got := webtest.Text(flagged)
		for _, want := range []string{"1 flagged answer", "REF0A-00000", "20 November 2026", "Autumn 2026"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: the table lacks %q: %s", role, want, got)
			}
		}
		if strings.Contains(got, "I like my school") || strings.Contains(got, "it hurts") {
			t.Errorf("%s: the table lists an answer that is not flagged or not a child's: %s", role, got)
		}
		if !strings.Contains(webtest.Text(p.Body), "This is flagging only: the service makes no judgement") {
			t.Errorf("%s: no note that this is flagging only", role)
		}
	}
	log := e.AuditLog()
	n := 0
	for _, entry := range log {
		if strings.HasSuffix(entry, "viewed safeguarding review 1 flagged answers: REF0A-00000") {
			n++
		}
		if strings.Contains(entry, "hurts") {
			t.Errorf("audit entry %q holds an answer", entry)
		}
	}
	if n != 2 || slices.ContainsFunc(log, func(s string) bool {
		return strings.HasPrefix(s, "board-viewer") && strings.Contains(s, "safeguarding")
	}) {
		t.Errorf("audit log, want a view by the admin and the analyst:\n%s", strings.Join(log, "\n"))
	}
}
