package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/synthetic"
	"iwtoolkit/internal/testenv"
)

// seededPack starts the service on a store seeded with n made-up
// responses to survey d across its rounds, and closes its first two
// rounds, so that the Board pack has published figures to show.
func seededPack(t *testing.T, d *survey.Definition, n int) (*service, *browser) {
	t.Helper()
	e := sqliteEnv(t)
	st := storeOf(t, e)
	if err := synthetic.SeedBulk(context.Background(), st, d, d.Rounds[:2], n, 25); err != nil {
		t.Fatal(err)
	}
	svc := start(t, e)
	admin := staffBrowser(t, svc, "admin", "")
	closeRound(t, admin, d, d.Rounds[0].ID)
	closeRound(t, admin, d, d.Rounds[1].ID)
	return svc, admin
}

// sizeWords are the sizes of a change the first page may give.
var sizeWords = regexp.MustCompile(`^(None|Small (rise|fall)|Moderate (rise|fall)|Large (rise|fall))$`)

// TestBoardPackFirstPage prints a seeded pack's first page in Chromium
// at A4: it names every strand with its headline share in both rounds and
// the size of the change in words, and fits one page; printed alone it is
// one page of PDF.
func TestBoardPackFirstPage(t *testing.T) {
	testenv.Chromium(t)
	t.Parallel()
	d := bundled(t)
	svc, _ := seededPack(t, d, 400)
	var strands []*survey.Section // every strand, conditional ones too
	for _, s := range d.Sections {
		if _, scale := s.Rated(); d.Scales[scale] != nil {
			strands = append(strands, s)
		}
	}
	// A target on every strand: the first page's fullest table.
	st := storeOf(t, svc.env)
	for _, s := range strands {
		if err := st.SetTarget(context.Background(), store.Target{SurveyID: d.ID, Subject: s.ID, Kind: store.TargetShare, Value: 45,
			By: time.Date(2028, 3, 31, 0, 0, 0, 0, time.UTC), Round: "baseline"}); err != nil {
			t.Fatal(err)
		}
	}
	b := newTab(t)
	b.signInStaff(t, svc, "board-viewer")
	pack := svc.URL + "/r/" + d.ID + "/pack?a=baseline&b=follow-up"
	if v := b.open(pack); v.Status != http.StatusOK {
		t.Fatalf("the pack: status %d", v.Status)
	}
	// Each strand's row: its title, two shares, a change in points, the
	// size in words and whether it is more than chance.
	var rows [][]string
	b.run("read the first page's table", chromedp.Evaluate(`[...document.querySelectorAll('#pack_headlines tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()))`, &rows))
	if len(rows) != len(strands) {
		t.Fatalf("the first page has %d rows, want one per strand (%d): %v", len(rows), len(strands), rows)
	}
	for i, s := range strands {
		r := rows[i]
		if len(r) != 7 || r[0] != s.Title || !regexp.MustCompile(`^\d+%$`).MatchString(r[1]) || !regexp.MustCompile(`^\d+%$`).MatchString(r[2]) ||
			!regexp.MustCompile(`^([+-]\d+|0)$`).MatchString(r[3]) || !sizeWords.MatchString(r[4]) ||
			!regexp.MustCompile(`^(Met|On track|Off track)$`).MatchString(r[6]) {
			t.Errorf("strand %s: the first page's row is %q", s.Title, r)
		}
	}
	summary := b.text("#pack_summary")
	for _, want := range []string{"at “Established” or higher", "Most: ", "Least: ", "What is hidden, and why", "fewer than 5 people"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the first page does not say %q:\n%s", want, summary)
		}
	}
	if strings.Contains(summary, "Mann–Whitney") || strings.Contains(summary, "p value") {
		t.Errorf("the first page names a test or a p value:\n%s", summary)
	}

	// At A4 in print: the first page's box fits inside one page's margins
	// (210 × 297 mm less 15 mm each side, 15 mm at the top and 18 mm at
	// the foot), at 96 CSS pixels to the inch.
	const mm = 96 / 25.4
	b.run("print media at A4's width",
		emulation.SetEmulatedMedia().WithMedia("print"),
		emulation.SetDeviceMetricsOverride(680, 998, 1, false)) // 180 × 264 mm
	// On paper: nothing empty, no closed notes, every strand from the top
	// of a page.
	var printed string
	b.run("read the printed pack", chromedp.Evaluate(`document.querySelector('main').innerText`, &printed))
	for _, empty := range []string{"Not written yet", "No actions.", "Before you print", "How this was tested"} {
		if strings.Contains(printed, empty) {
			t.Errorf("the printed pack says %q", empty)
		}
	}
	if !strings.Contains(printed, "Notes: how the changes were tested") || !strings.Contains(printed, "Mann–Whitney test, p") {
		t.Error("the printed pack has no notes at the back naming the tests")
	}
	var rules struct{ Details, PageBox int }
	b.run("read the print rules", chromedp.Evaluate(`({Details: document.querySelectorAll('main details:not([open])').length,
		PageBox: [...document.styleSheets].flatMap(s => [...s.cssRules]).filter(r => r instanceof CSSPageRule && r.cssText.includes('counter(page)')).length})`, &rules))
	if rules.Details != 0 || rules.PageBox == 0 {
		t.Errorf("in print: %d closed details, %d page rules numbering the pages", rules.Details, rules.PageBox)
	}
	var height float64
	b.run("measure the first page", chromedp.Evaluate(`document.getElementById('pack_summary').getBoundingClientRect().height`, &height))
	if height <= 0 || height > 264*mm {
		t.Errorf("the first page is %.0f px high in print, more than one A4 page's %.0f px", height, 264*mm)
	}
	t.Logf("the first page is %.0f of %.0f px high at A4", height, 264*mm)
	if os.Getenv("IWT_KEEP_PDF") != "" {
		var png []byte
		b.run("picture the printed first page", chromedp.CaptureScreenshot(&png))
		os.MkdirAll(screenshotDir, 0o755)
		os.WriteFile(filepath.Join(screenshotDir, "pack-print.png"), png, 0o644)
	}

	// Printed alone, the first page is one page of PDF, numbered.
	var pdf []byte
	b.run("print the first page alone",
		emulation.SetEmulatedMedia().WithMedia(""),
		emulation.ClearDeviceMetricsOverride(),
		chromedp.Evaluate(`document.querySelectorAll('main > :not(#pack_summary)').forEach(e => e.remove()); true`, nil),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			pdf, _, err = cdppage.PrintToPDF().WithPreferCSSPageSize(true).Do(ctx)
			return err
		}))
	if pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1)); pages != 1 {
		t.Errorf("the first page printed alone is %d pages of PDF, want 1", pages)
	}
	if os.Getenv("IWT_KEEP_PDF") != "" {
		os.MkdirAll(screenshotDir, 0o755)
		os.WriteFile(filepath.Join(screenshotDir, "pack-first-page.pdf"), pdf, 0o644)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Error("Chromium did not print a PDF")
	}
}
