package main

import (
	"html"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestBoardPackKeepsRounds follows the links of a pack comparing two
// rounds, as an analyst clicking them: the commentary and action forms
// keep both rounds, and saving either comes back to the same pack of two
// rounds, not a pack of the later round alone.
func TestBoardPackKeepsRounds(t *testing.T) {
	t.Parallel()
	d := bundled(t)
	svc := start(t, sqliteEnv(t))
	for i := range 5 {
		respond(t, svc.URL, d, "baseline", baseline[i], i)
		respond(t, svc.URL, d, "follow-up", followUp[i], i)
	}
	admin := staffBrowser(t, svc, "admin", "")
	closeRound(t, admin, d, "baseline")
	closeRound(t, admin, d, "follow-up")
	strand := rated(d)[0]
	pack := "/r/" + d.ID + "/pack"
	analyst := staffBrowser(t, svc, "analyst", "")
	both := func(what string, u *url.URL) {
		t.Helper()
		if q := u.Query(); q.Get("a") != "baseline" || q.Get("b") != "follow-up" {
			t.Errorf("%s: %s does not keep the rounds a=baseline and b=follow-up", what, u)
		}
	}
	// link is the address of the pack's link whose words start with text.
	link := func(p page, text string) *url.URL {
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

	both("the report's link to the pack", link(analyst.get("/r/"+d.ID+"?a=baseline&b=follow-up").must(t, http.StatusOK), "Board pack"))
	p := analyst.get(pack+"?a=baseline&b=follow-up").must(t, http.StatusOK)
	for _, what := range []string{"Write the commentary", "Add an action", "The full report"} {
		both(what, link(p, what))
	}
	// One rounding: the change in the strand's table is the difference of
	// the two means it shows; the test's name is in a details section, not
	// in the sentence.
	figures := element(t, p.Body, "table", "strand-"+strand.ID+"-figures")
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
	section := element(t, p.Body, "section", "strand-"+strand.ID)
	if strings.Contains(section, "test, p") || strings.Contains(section, "<details") {
		t.Errorf("the pack names its test in the strand's section, or hides it in a details:\n%s", text(section))
	}
	if notes := text(element(t, p.Body, "section", "pack_notes")); !strings.Contains(notes, strand.Title+": Mann–Whitney test, p") {
		t.Errorf("the notes at the back do not name the strand's test:\n%s", notes)
	}

	// The commentary: the form carries both rounds, and saving it lands on
	// the pack of both at the strand.
	write := link(p, "Write the commentary")
	form := analyst.get(write.RequestURI()).must(t, http.StatusOK)
	for _, field := range []string{`name="a" value="baseline"`, `name="b" value="follow-up"`} {
		if !strings.Contains(form.Body, field) {
			t.Errorf("the commentary form has no hidden %s", field)
		}
	}
	saved := analyst.postFrom(write.RequestURI(), write.Path, url.Values{"a": {"baseline"}, "b": {"follow-up"}, "know": {"Better than last year"}}).must(t, http.StatusOK)
	both("after saving the commentary", saved.URL)
	if !strings.Contains(saved.Body, "Better than last year") || !strings.Contains(text(saved.Body), "Baseline, autumn 2026") {
		t.Errorf("after saving the commentary, the pack of both rounds does not show it:\n%s", text(saved.Body))
	}

	// An action: the same.
	add := link(saved, "Add an action")
	added := analyst.postFrom(add.RequestURI(), add.Path, url.Values{"round": {"follow-up"}, "a": {"baseline"}, "b": {"follow-up"}, "strand": {strand.ID},
		"text": {"Train the new starters"}, "owner": {"Head of Early Help"}, "due_day": {"31"}, "due_month": {"3"}, "due_year": {"2028"}, "status": {"not-started"}}).must(t, http.StatusOK)
	both("after adding an action", added.URL)
	update := link(added, "Update")
	both("the link to update an action", update)
	updated := analyst.postFrom(update.RequestURI(), update.Path, url.Values{"round": {"follow-up"}, "a": {"baseline"}, "b": {"follow-up"},
		"owner": {"Head of Early Help"}, "due_day": {"31"}, "due_month": {"3"}, "due_year": {"2028"}, "status": {"in-progress"}}).must(t, http.StatusOK)
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
