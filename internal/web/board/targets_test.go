package board_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/synthetic"
	"iwtoolkit/internal/webtest"
)

// TestBoardPackTargetsOnIndicatorsAndQuestions sets, in the training
// needs survey's baseline pack, a target on the safeguarding indicator and
// one on the share choosing an answer to a multiple choice that only two
// people chose in the follow-up. The follow-up's pack evaluates both from
// its published figures: the indicator's is met, then, set again out of
// reach by a date gone by, off track; the question's cannot be shown,
// since that answer's figure is held back.
func TestBoardPackTargetsOnIndicatorsAndQuestions(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("training-needs")
	st := e.Store
	rng := rand.New(rand.NewPCG(25, 25))
	rare := 0 // follow-up people who chose shadowing
	for n := range 240 {
		r := synthetic.Response(d, rng, n, d.Rounds[:2], e.Clock())
		if r.Round == "follow-up" {
			ways := slices.DeleteFunc(strings.Fields(r.Answers["ways-to-learn"]), func(v string) bool { return v == "shadowing" || v == "none" })
			if rare < 2 {
				ways, rare = append(ways, "shadowing"), rare+1
			} else if len(ways) == 0 {
				ways = []string{"e-learning"}
			}
			r.Answers["ways-to-learn"] = strings.Join(ways, " ")
		}
		if _, err := st.Submit(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range d.Rounds[:2] {
		e.CloseRound(d, r.ID)
	}
	analyst := e.StaffBrowser(auth.Analyst, "")
	pack := "/r/" + d.ID + "/pack"
	set := func(what string, form url.Values, status int) webtest.Page {
		t.Helper()
		form.Set("a", "baseline")
		addr := pack + "/targets/baseline/" + what
		return analyst.PostFrom(addr+"?a=baseline", addr, form).Must(status)
	}
	by2099 := url.Values{"by_day": {"31"}, "by_month": {"3"}, "by_year": {"2099"}}
	with := func(v url.Values, kv ...string) url.Values {
		out := url.Values{}
		for k, x := range v {
			out[k] = x
		}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}

	// The pack's question picker leads to the question's form, which asks
	// which answer is counted and refuses a target without one.
	form := analyst.Get(pack + "/question-targets/baseline?a=baseline&question=ways-to-learn").Must(http.StatusOK)
	if !strings.Contains(form.Body, "Target for Which ways of learning suit you?") || !strings.Contains(form.Body, `name="option" type="radio" value="shadowing"`) {
		t.Errorf("the question's target form:\n%s", webtest.Text(form.Body))
	}
	bad := set("question/ways-to-learn", with(by2099, "value", "10"), http.StatusUnprocessableEntity)
	if !strings.Contains(bad.Body, `href="#option_0"`) || !strings.Contains(bad.Body, "Select the answer the target counts") {
		t.Errorf("a target on a question with no answer chosen:\n%s", webtest.Text(bad.Body))
	}
	if ts, err := st.Targets(context.Background(), d.ID); err != nil || len(ts) != 0 {
		t.Fatalf("after a refused target, stored: %v, %v", ts, err)
	}
	analyst.Get(pack + "/targets/baseline/indicator/cpd-demand?a=baseline").Must(http.StatusNotFound)

	set("indicator/safeguarding-at-level", with(by2099, "value", "1"), http.StatusOK)
	set("question/ways-to-learn", with(by2099, "value", "10", "option", "shadowing"), http.StatusOK)

	viewer := e.StaffBrowser(auth.BoardViewer, "")
	base := viewer.Get(pack + "?a=baseline").Must(http.StatusOK)
	if got := webtest.Text(webtest.Element(t, base.Body, "p", "pack_targets_count")); !strings.HasPrefix(got, "Of 2 targets: 2 set in this round.") {
		t.Errorf("the baseline's first page says of its targets: %q", got)
	}
	follow := func() string {
		t.Helper()
		return viewer.Get(pack + "?a=baseline&b=follow-up").Must(http.StatusOK).Body
	}
	p := follow()
	if got := webtest.Text(webtest.Element(t, p, "p", "pack_targets_count")); !strings.HasPrefix(got, "Of 2 targets: 1 met and 1 cannot be shown.") {
		t.Errorf("the follow-up's first page says of its targets: %q", got)
	}
	summary := webtest.Text(webtest.Element(t, p, "ul", "pack_other_targets"))
	for _, want := range []string{
		"Safeguarding training completed at the level the role needs: Met, now ",
		"Which ways of learning suit you?: Cannot be shown (target 10% of those asked who chose “Shadowing or visiting another service” by 31 March 2099).",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("the first page's list of targets lacks %q:\n%s", want, summary)
		}
	}
	for id, want := range map[string]string{
		"indicator-safeguarding-at-level-target": "Target on Safeguarding training completed at the level the role needs: 1% who have reached it by 31 March 2099, set in Baseline, autumn 2026. Met Now ",
		"question-ways-to-learn-target":          "Target on Which ways of learning suit you?: 10% of those asked who chose “Shadowing or visiting another service” by 31 March 2099, set in Baseline, autumn 2026. Cannot be shown this round's figure is held back",
	} {
		if got := webtest.Text(webtest.Element(t, p, "p", id)); !strings.HasPrefix(got, want) {
			t.Errorf("the section says of its target %q, want %q…", got, want)
		}
	}
	// The figure the question's target cannot show is the one the pack
	// holds back.
	if row := webtest.Text(webtest.Element(t, p, "table", "question-ways-to-learn")); !strings.Contains(row, "Shadowing or visiting another service") || !strings.Contains(row, "not shown") {
		t.Errorf("the pack shows the held-back answer:\n%s", row)
	}

	// Set again out of reach, by a date gone by: off track.
	set("indicator/safeguarding-at-level", url.Values{"value": {"100"}, "by_day": {"1"}, "by_month": {"1"}, "by_year": {"2020"}}, http.StatusOK)
	p = follow()
	if got := webtest.Text(webtest.Element(t, p, "p", "indicator-safeguarding-at-level-target")); !strings.Contains(got, "Off track Now ") || !strings.Contains(got, "the date has passed") {
		t.Errorf("an indicator's target out of reach says %q", got)
	}
	hasAudit(t, e, "set Board pack target "+d.ID+"/baseline/indicator:safeguarding-at-level")
	hasAudit(t, e, "set Board pack target "+d.ID+"/baseline/question:ways-to-learn")
	if ts, err := st.Targets(context.Background(), d.ID); err != nil || len(ts) != 2 {
		t.Errorf("stored targets: %+v, %v", ts, err)
	}
}
