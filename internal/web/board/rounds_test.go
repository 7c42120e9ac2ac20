package board_test

import (
	"html"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/webtest"
)

// TestBoardPackKeepsRounds follows the links of a pack comparing two
// rounds, as an analyst clicking them: the commentary and action forms
// keep both rounds, and saving either comes back to the same pack of two
// rounds, not a pack of the later round alone.
func TestBoardPackKeepsRounds(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	for i := range 5 {
		e.Respond(d, "baseline", baseline[i], i)
		e.Respond(d, "follow-up", followUp[i], i)
	}
	e.CloseRound(d, "baseline")
	e.CloseRound(d, "follow-up")
	strand := firstRated(d)
	pack := "/r/" + d.ID + "/pack"
	analyst := e.StaffBrowser(auth.Analyst, "")
	both := func(what string, u *url.URL) {
		t.Helper()
		if q := u.Query(); q.Get("a") != "baseline" || q.Get("b") != "follow-up" {
			t.Errorf("%s: %s does not keep the rounds a=baseline and b=follow-up", what, u)
		}
	}
	// link is the address of the pack's link whose words start with text.
	link := func(p webtest.Page, text string) *url.URL {
		t.Helper()
		m := regexp.MustCompile(`<a class="govuk-link[^"]*" href="([^"]*)">` + regexp.QuoteMeta(text)).FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("%s: no link %q", p.URL, text)
		}
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	both("the report's link to the pack", link(analyst.Get("/r/"+d.ID+"?a=baseline&b=follow-up").Must(http.StatusOK), "Board pack"))
	p := analyst.Get(pack + "?a=baseline&b=follow-up").Must(http.StatusOK)
	for _, what := range []string{"Write the commentary", "Add an action", "The full report"} {
		both(what, link(p, what))
	}
	// One rounding: the change in the strand's table is the difference of
	// the two means it shows; the test's name is in a details section, not
	// in the sentence.
	figures := webtest.Element(t, p.Body, "table", "strand-"+strand.ID+"-figures")
	means := regexp.MustCompile(`>([0-9]\.[0-9]{2}) \([0-9]+\)</td>`).FindAllStringSubmatch(figures, -1)
	change := regexp.MustCompile(`>(&#43;|-)?([0-9]\.[0-9]{2})</td>`).FindStringSubmatch(figures)
	if len(means) != 2 || change == nil {
		t.Fatalf("the strand's figures table has no two means and a change:\n%s", figures)
	}
	ch := parseFloat(t, change[2])
	if change[1] == "-" {
		ch = -ch
	}
	if a, b := parseFloat(t, means[0][1]), parseFloat(t, means[1][1]); math.Abs((b-a)-ch) > 1e-9 {
		t.Errorf("the pack's table shows %s to %s as a change of %s%s", means[0][1], means[1][1], change[1], change[2])
	}
	// The test's name and p value are in the notes at the back, not in
	// the strand's section; the section's one mean is the table's.
	section := webtest.Element(t, p.Body, "section", "strand-"+strand.ID)
	if strings.Contains(section, "test, p") || strings.Contains(section, "<details") {
		t.Errorf("the pack names its test in the strand's section, or hides it in a details:\n%s", webtest.Text(section))
	}
	if notes := webtest.Text(webtest.Element(t, p.Body, "section", "pack_notes")); !strings.Contains(notes, strand.Title+": Mann–Whitney test, p") {
		t.Errorf("the notes at the back do not name the strand's test:\n%s", notes)
	}

	// The commentary: the form carries both rounds, and saving it lands on
	// the pack of both at the strand.
	write := link(p, "Write the commentary")
	form := analyst.Get(write.RequestURI()).Must(http.StatusOK)
	for _, field := range []string{`name="a" value="baseline"`, `name="b" value="follow-up"`} {
		if !strings.Contains(form.Body, field) {
			t.Errorf("the commentary form has no hidden %s", field)
		}
	}
	saved := analyst.PostFrom(write.RequestURI(), write.Path, url.Values{"a": {"baseline"}, "b": {"follow-up"}, "know": {"Better than last year"}}).Must(http.StatusOK)
	both("after saving the commentary", saved.URL)
	if !strings.Contains(saved.Body, "Better than last year") || !strings.Contains(webtest.Text(saved.Body), "Baseline, autumn 2026") {
		t.Errorf("after saving the commentary, the pack of both rounds does not show it:\n%s", webtest.Text(saved.Body))
	}

	// An action: the same.
	add := link(saved, "Add an action")
	added := analyst.PostFrom(add.RequestURI(), add.Path, url.Values{"round": {"follow-up"}, "a": {"baseline"}, "b": {"follow-up"}, "strand": {strand.ID},
		"text": {"Train the new starters"}, "owner": {"Head of Early Help"}, "due_day": {"31"}, "due_month": {"3"}, "due_year": {"2028"}, "status": {"not-started"}}).Must(http.StatusOK)
	both("after adding an action", added.URL)
	update := link(added, "Update")
	both("the link to update an action", update)
	updated := analyst.PostFrom(update.RequestURI(), update.Path, url.Values{"round": {"follow-up"}, "a": {"baseline"}, "b": {"follow-up"},
		"owner": {"Head of Early Help"}, "due_day": {"31"}, "due_month": {"3"}, "due_year": {"2028"}, "status": {"in-progress"}}).Must(http.StatusOK)
	both("after updating an action", updated.URL)
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
