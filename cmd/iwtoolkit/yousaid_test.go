package main

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/synthetic"
	"iwtoolkit/internal/testenv"
)

// TestYouSaidWeDid: the young people's baseline, closed, has a public
// "You said, we did" page with its published shares in the young people's
// own words, in English and Polish, and the Board's action on it; the
// open follow-up's start page links to it; the follow-up, closed with
// fewer than the minimum group, shows nothing of its answers; the auditor
// finds no leak in what was published; and the page passes axe at 320
// pixels wide.
func TestYouSaidWeDid(t *testing.T) {
	testenv.Chromium(t)
	t.Parallel()
	d, ok := bundledCatalogue(t).Survey("young-people")
	if !ok {
		t.Fatal("no young people's survey")
	}
	e := sqliteEnv(t)
	st := storeOf(t, e)
	ctx := context.Background()
	if err := synthetic.SeedBulk(ctx, st, d, d.Rounds[:1], 120, 7); err != nil {
		t.Fatal(err)
	}
	svc := start(t, e)
	admin := staffBrowser(t, svc, "admin", "")
	closeRound(t, admin, d, "baseline")
	now := time.Now()
	if err := st.AddAction(ctx, store.Action{ID: "youth-forum", SurveyID: d.ID, Strand: rated(d)[0].ID, Text: "Start a youth forum in every school",
		Owner: "Participation lead", Due: time.Date(2027, 7, 31, 0, 0, 0, 0, time.UTC), Status: store.InProgress, Round: "baseline", Created: now, Updated: now}); err != nil {
		t.Fatal(err)
	}
	anyone := newBrowser(t, svc.URL)

	// The follow-up's start page links to the baseline's page.
	startPage := anyone.get("/s/"+d.ID+"/follow-up").must(t, http.StatusOK)
	if !strings.Contains(startPage.Body, `href="/you-said/`+d.ID+`/baseline?lang=en"`) {
		t.Errorf("the follow-up's start page does not link to the baseline's You said, we did:\n%s", text(startPage.Body))
	}

	page := anyone.get("/you-said/"+d.ID+"/baseline").must(t, http.StatusOK)
	said := text(element(t, page.Body, "div", "you_said"))
	if n := len(regexp.MustCompile(`\d+% said “Agree” or “Agree a lot”`).FindAllString(said, -1)); n < 1 {
		t.Errorf("the page gives %d shares in the young people's words:\n%s", n, said)
	}
	if did := text(element(t, page.Body, "ul", "we_did")); !strings.Contains(did, "Start a youth forum in every school") || !strings.Contains(did, "Started. To be done by 31 July 2027.") {
		t.Errorf("the page does not say what the Board is doing: %q", did)
	}
	if cc := page.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	pl := anyone.get("/you-said/"+d.ID+"/baseline?lang=pl").must(t, http.StatusOK)
	if !strings.Contains(pl.Body, `lang="pl"`) || !strings.Contains(pl.Body, "Powiedzieliście, zrobiliśmy") ||
		!regexp.MustCompile(`\d+% odpowiedziało “Zgadzam się” lub “Zdecydowanie się zgadzam”`).MatchString(text(pl.Body)) {
		t.Errorf("the page in Polish:\n%s", text(pl.Body))
	}
	anyone.get("/you-said/integrated-working/baseline").must(t, http.StatusNotFound) // staff are not consulted
	anyone.get("/you-said/"+d.ID+"/no-such-round").must(t, http.StatusNotFound)
	if got := text(anyone.get("/you-said/"+d.ID+"/follow-up").must(t, http.StatusOK).Body); !strings.Contains(got, "The results are shown here after the survey closes.") {
		t.Errorf("the open follow-up's page:\n%s", got)
	}

	// The follow-up, closed with 3 answers: nothing of them.
	if err := synthetic.SeedBulk(ctx, st, d, d.Rounds[1:2], 3, 8); err != nil {
		t.Fatal(err)
	}
	closeRound(t, admin, d, "follow-up")
	small := anyone.get("/you-said/"+d.ID+"/follow-up").must(t, http.StatusOK)
	if !strings.Contains(small.Body, `id="you_said_too_few"`) || strings.Contains(text(element(t, small.Body, "div", "you_said")), "%") {
		t.Errorf("the follow-up's page shows answers of fewer than the minimum group:\n%s", text(small.Body))
	}

	// Everything published checks out.
	if out := runAudit(t, e); !strings.Contains(out, "no leaks found") || !strings.Contains(out, d.ID+" baseline (120 responses") {
		t.Errorf("the audit:\n%s", out)
	}

	// axe at 320 pixels wide, with nothing reported by the browser.
	b := newTab(t)
	b.run("320 pixels wide", emulation.SetDeviceMetricsOverride(320, 800, 1, false))
	for _, addr := range []string{"/you-said/" + d.ID + "/baseline", "/you-said/" + d.ID + "/baseline?lang=pl", "/you-said/" + d.ID + "/follow-up"} {
		v := b.open(svc.URL + addr)
		b.audit("You said, we did", v)
		b.fitsWidth(addr, 320)
	}
}
