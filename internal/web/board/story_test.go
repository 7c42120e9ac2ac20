package board_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/synthetic"
	"iwtoolkit/internal/webtest"
)

// seededPack serves the pack on e's store seeded with n made-up responses
// to the survey across its rounds, with its first two rounds closed, so
// that the Board pack has published figures to show.
func seededPack(t *testing.T, e *webtest.Env, id string, n int) *survey.Definition {
	t.Helper()
	serve(t, e)
	d := e.Survey(id)
	if err := synthetic.SeedBulk(context.Background(), e.Store, d, d.Rounds[:2], n, 25); err != nil {
		t.Fatal(err)
	}
	e.CloseRound(d, d.Rounds[0].ID)
	e.CloseRound(d, d.Rounds[1].ID)
	return d
}

// rated are the sections a frontline respondent rates, in order.
func rated(d *survey.Definition) []*survey.Section {
	var out []*survey.Section
	for _, s := range d.Sections {
		if items, _ := s.Rated(); len(items) > 0 && s.ShowIf == nil {
			out = append(out, s)
		}
	}
	return out
}

// TestChildrensPackSaysShares: on the children's No / Sometimes / Yes
// scale the pack gives the share who said Yes, on its first page and in
// each strand, and no mean rating anywhere.
func TestChildrensPackSaysShares(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	d := seededPack(t, e, "children", 120)
	viewer := e.StaffBrowser(auth.BoardViewer, "")
	p := viewer.Get("/r/" + d.ID + "/pack?a=baseline&b=follow-up").Must(http.StatusOK)
	if got := webtest.Text(webtest.Element(t, p.Body, "table", "pack_headlines")); !strings.Contains(got, "Children's answers: the share that said “Yes”") ||
		!regexp.MustCompile(`What you think \d+% \d+%`).MatchString(got) {
		t.Errorf("the children's first page does not give the share who said Yes:\n%s", got)
	}
	main := webtest.Text(webtest.Element(t, p.Body, "main", "main_content"))
	for _, mean := range []string{"Mean", "mean rating", "median"} {
		if strings.Contains(main, mean) {
			t.Errorf("the children's pack says %q on a three-point scale:\n%s", mean, main)
		}
	}
	if got := webtest.Text(webtest.Element(t, p.Body, "p", "pack_you_said")); !strings.Contains(got, "You said, we did: Autumn 2027") || !strings.Contains(p.Body, `href="/you-said/children/follow-up"`) {
		t.Errorf("the children's pack does not link to what the children are told: %q", got)
	}
	if got := webtest.Text(webtest.Element(t, p.Body, "table", "strand-what-you-think-statements")); !strings.Contains(got, "Share who said “Yes” to each question") {
		t.Errorf("the children's statements table is not of shares:\n%s", got)
	}
}

// TestBoardPackTargets sets targets in the baseline's pack as an analyst
// and reads them in the follow-up's, where they are evaluated from the
// follow-up's published figures: one already reached is met, one past its
// date and not reached is off track; in the baseline's own pack they are
// set, not judged; a bad figure is refused and nothing is stored.
func TestBoardPackTargets(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	d := seededPack(t, e, "integrated-working", 200)
	analyst := e.StaffBrowser(auth.Analyst, "")
	strands := rated(d)
	pack := "/r/" + d.ID + "/pack"
	set := func(strand string, form url.Values, status int) webtest.Page {
		t.Helper()
		form.Set("a", "baseline")
		addr := pack + "/targets/baseline/" + strand + "?a=baseline"
		return analyst.PostFrom(addr, pack+"/targets/baseline/"+strand, form).Must(status)
	}
	bad := set(strands[0].ID, url.Values{"kind": {"share"}, "value": {"150"}, "by_day": {"31"}, "by_month": {"2"}, "by_year": {"2028"}}, http.StatusUnprocessableEntity)
	for _, want := range []string{`href="#value"`, "at most 100%", `href="#by_day"`, "must be a real date"} {
		if !strings.Contains(bad.Body, want) {
			t.Errorf("a target of 150%% by 31 February: the page lacks %q", want)
		}
	}
	if ts, err := e.Store.Targets(context.Background(), d.ID); err != nil || len(ts) != 0 {
		t.Fatalf("after a refused target, stored: %v, %v", ts, err)
	}
	set(strands[0].ID, url.Values{"kind": {"share"}, "value": {"1"}, "by_day": {"31"}, "by_month": {"3"}, "by_year": {"2099"}}, http.StatusOK)
	set(strands[1].ID, url.Values{"kind": {"mean"}, "value": {"4.9"}, "by_day": {"1"}, "by_month": {"1"}, "by_year": {"2020"}}, http.StatusOK)

	viewer := e.StaffBrowser(auth.BoardViewer, "")
	base := viewer.Get(pack + "?a=baseline").Must(http.StatusOK)
	if got := webtest.Text(webtest.Element(t, base.Body, "p", "pack_targets_count")); got != "Of 2 targets: 2 set in this round. Each strand's section says what its target is and why." {
		t.Errorf("the baseline's first page says of its targets: %q", got)
	}
	p := viewer.Get(pack + "?a=baseline&b=follow-up").Must(http.StatusOK)
	if got := webtest.Text(webtest.Element(t, p.Body, "p", "pack_targets_count")); !strings.HasPrefix(got, "Of 2 targets: 1 met and 1 off track.") {
		t.Errorf("the follow-up's first page says of its targets: %q", got)
	}
	table := webtest.Text(webtest.Element(t, p.Body, "table", "pack_headlines"))
	for _, want := range []string{"More than chance? Target", " Met ", " Off track "} {
		if !strings.Contains(table, want) {
			t.Errorf("the follow-up's first page's table lacks %q:\n%s", want, table)
		}
	}
	for i, want := range []string{
		"Target: 1% at “Established” or higher by 31 March 2099, set in Baseline, autumn 2026. Met Now ",
		"Target: a mean rating of 4.90 by 1 January 2020, set in Baseline, autumn 2026. Off track Now ",
	} {
		if got := webtest.Text(webtest.Element(t, p.Body, "p", "strand-"+strands[i].ID+"-target")); !strings.HasPrefix(got, want) {
			t.Errorf("the strand's section says of its target %q, want %q…", got, want)
		}
	}
	// An editor is told, before printing, what the pack lacks.
	if got := webtest.Text(webtest.Element(t, analyst.Get(pack+"?a=baseline&b=follow-up").Must(http.StatusOK).Body, "div", "pack_unwritten")); !strings.Contains(got, "Before you print: no commentary is written on "+strands[0].Title) {
		t.Errorf("the editor's warning says %q", got)
	}
	hasAudit(t, e, "set Board pack target "+d.ID+"/baseline/"+strands[0].ID)
}
