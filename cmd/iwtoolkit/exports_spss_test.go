package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/testenv"
)

// TestExportSPSS runs the SPSS syntax a running service gives with GNU
// PSPP against its one-line CSV: every round coded and labelled, one
// added by staff with a long id included; MEANS and DESCRIPTIVES print
// each round's mean of a rating to two decimals, as worked out here from
// the same CSV; a comment that looks like a formula comes out guarded.
func TestExportSPSS(t *testing.T) {
	pspp := testenv.PSPP(t)
	d := bundled(t)
	e := sqliteEnv(t)
	svc := start(t, e)
	st := storeOf(t, e)
	added := store.RoundState{SurveyID: d.ID, Round: "spring-2027-added-by-staff", Label: "Spring 2027 (added by staff)", Added: true, Created: time.Now(), Updated: time.Now()}
	if err := st.AddRound(context.Background(), added); err != nil {
		t.Fatal(err)
	}
	submitMembers(t, st, d, "baseline", levels(23, member{sector: "health", org: "community-health-trust", role: "frontline"}), 0)
	submitMembers(t, st, d, added.Round, levels(17, member{sector: "police", org: "police", role: "leader-manager"}), 100)
	respond(t, svc.URL, d, "baseline", respondent{Level: "2", Comment: `=HYPERLINK("http://evil")`}, 200)

	analyst := staffBrowser(t, svc, "analyst", "")
	base := "/r/" + d.ID
	syntax := analyst.get(base+"/responses.sps").must(t, http.StatusOK).Body
	data := analyst.get(base+"/responses.csv?lines=one").must(t, http.StatusOK).Body
	rows, err := readCSV(data)
	if err != nil {
		t.Fatal(err)
	}
	// The means of caf-1 per round and in all, from the CSV.
	col := slices.Index(rows[0], "caf-1")
	sums := map[string][2]float64{}
	for _, r := range rows[1:] {
		if v, err := strconv.Atoi(r[col]); err == nil {
			for _, k := range []string{r[1], "Total"} {
				s := sums[k]
				sums[k] = [2]float64{s[0] + float64(v), s[1] + 1}
			}
		}
	}
	run := syntax + "\nMEANS TABLES=caf_1 BY round.\nDESCRIPTIVES caf_1.\nFREQUENCIES round.\n"
	out := testenv.RunPSPP(t, pspp, t.TempDir(), d.ID+"-responses.csv", []byte(data), run, "reference round sector caf_1 caf_comment")
	squashed := strings.Join(strings.Fields(out), "")
	for round, label := range map[string]string{"baseline": d.Rounds[0].Label, added.Round: added.Label, "Total": "Total"} {
		s := sums[round]
		want := fmt.Sprintf("|%s|%.2f|%d|", label, s[0]/s[1], int(s[1]))
		if !strings.Contains(squashed, strings.Join(strings.Fields(want), "")) {
			t.Errorf("MEANS does not print %q", want)
		}
	}
	total := sums["Total"]
	if want := fmt.Sprintf("|%d|%.2f|", int(total[1]), total[0]/total[1]); !strings.Contains(squashed, want) {
		t.Errorf("DESCRIPTIVES does not print N and mean %q", want)
	}
	if want := fmt.Sprintf("|NValid|%d||Missing|0|", len(rows)-1); !strings.Contains(squashed, want) {
		t.Errorf("FREQUENCIES does not give every response a round: no %q", want)
	}
	for _, want := range []string{"Which sector do you mainly work in?", "Community health trust", "Don't know", "Not applicable", "Not asked", `'=HYPERLINK("http://evil")`} {
		if !strings.Contains(out, want) {
			t.Errorf("PSPP's output lacks %q", want)
		}
	}
	if got := testenv.PSPPMissing(out, "caf_1"); got != "-6 THRU -1" {
		t.Errorf("PSPP gives caf_1 the missing values %q, want -6 THRU -1", got)
	}
	if n := strings.Count(out, "|M000000"); n != 40 {
		t.Errorf("PSPP listed %d of the 40 stored responses", n)
	}
	if t.Failed() {
		t.Log(out)
	}
	log, err := st.AuditLog(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(log, func(e store.AuditEntry) bool {
		return e.Action == "downloaded SPSS syntax for raw responses" && e.Target == d.ID
	}) {
		t.Error("no audit entry for the SPSS syntax")
	}
}

// TestExportCutShort: an export of raw responses never looks complete
// when the store fails. Failing at once, it is an error page before the
// first byte; failing part-way, the connection is dropped before the
// body's end, which the HTTP client reports. A stored answer outside its
// question's values (9 on a scale of 1 to 5) is exported as invalid, said
// in the workbook's notes and logged without the answer.
func TestExportCutShort(t *testing.T) {
	d := bundled(t)
	e := sqliteEnv(t)
	svc := start(t, e)
	st := storeOf(t, e)
	submitMembers(t, st, d, "baseline", levels(400, member{sector: "health", org: "community-health-trust", role: "frontline"}), 0)
	analyst := staffBrowser(t, svc, "analyst", "")
	base := "/r/" + d.ID
	db, err := sql.Open("sqlite", filepath.Join(e["IWT_DATA_DIR"], sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(query string) {
		t.Helper()
		if _, err := db.Exec(query); err != nil {
			t.Fatal(err)
		}
	}

	exec(`UPDATE responses SET answers = json_set(answers, '$."caf-1"', '9') WHERE reference = 'M000000007'`)
	p := analyst.get(base+"/responses.csv").must(t, http.StatusOK)
	rows, err := readCSV(p.Body)
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "caf-1")
	for _, r := range rows[1:] {
		if r[0] == "M000000007" && r[col] != report.ValueInvalid {
			t.Errorf("caf-1 stored as 9 is exported as %q, want %q", r[col], report.ValueInvalid)
		}
	}
	x := analyst.get(base+"/responses.xlsx").must(t, http.StatusOK)
	f, err := excelize.OpenReader(strings.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	notes, _ := f.GetRows(report.SheetNotes)
	f.Close()
	if !slices.ContainsFunc(notes, func(r []string) bool {
		return len(r) > 1 && r[0] == "answers not valid" && strings.Contains(r[1], "caf-1")
	}) {
		t.Errorf("the workbook's notes do not say caf-1 held an answer not valid: %v", notes)
	}
	logs := svc.logs.String()
	if !strings.Contains(logs, "stored answers outside their question's values") || !strings.Contains(logs, "caf-1") {
		t.Errorf("the invalid answer was not logged:\n%s", logs)
	}

	// The last response's answers damaged: the first is read, the file
	// starts, and the connection drops part-way.
	exec(`UPDATE responses SET answers = '{' WHERE id = (SELECT id FROM responses ORDER BY submitted DESC, id DESC LIMIT 1)`)
	for _, path := range []string{"/responses.csv", "/responses.csv?lines=one", "/responses.xlsx"} {
		resp, err := analyst.client.Get(svc.URL + base + path)
		if err != nil {
			t.Logf("%s: the request failed: %v", path, err)
			continue // failed, and seen to
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Errorf("%s cut short by the store: status %d and %d bytes read without an error", path, resp.StatusCode, len(body))
			continue
		}
		t.Logf("%s: status %d, %d bytes, then %v", path, resp.StatusCode, len(body), err)
		if strings.HasSuffix(path, ".xlsx") {
			if _, err := excelize.OpenReader(strings.NewReader(string(body))); err == nil {
				t.Errorf("%s cut short opens as a workbook", path)
			}
		}
	}

	// Every response's answers damaged: an error page, before the first
	// byte of any file.
	exec(`UPDATE responses SET answers = '{'`)
	for _, path := range []string{"/responses.csv", "/responses.xlsx"} {
		p := analyst.get(base + path)
		if p.Status < 500 || strings.Contains(p.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("%s with the store damaged: %d %s, want an error page", path, p.Status, p.Header.Get("Content-Disposition"))
		}
	}
	if strings.Contains(svc.logs.String(), `"9"`) {
		t.Error("the log holds the invalid answer itself")
	}
}
