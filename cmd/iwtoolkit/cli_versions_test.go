package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv"
	"iwtoolkit/internal/versions"
)

// The commands work on the surveys the service serves, from the store: a
// survey made on the staff pages from an uploaded workbook, with no file
// in the surveys folder, is invited to and reminded from the command line
// (the emails' links open it and its answers are sent), and seeded (its
// report counts the seeded responses); a survey whose file says one
// version and whose live version was published on the staff pages is
// seeded on the published one; an unknown survey is named with those
// served. With MongoDB, load answers the survey made on the staff pages.
func TestCommandsOnSurveysFromTheStore(t *testing.T) {
	t.Parallel()
	for name, newEnv := range map[string]func(*testing.T) env{"sqlite": sqliteEnv, "mongodb": mongoEnv} {
		t.Run(name, func(t *testing.T) { testCommandsOnSurveysFromTheStore(t, newEnv(t)) })
	}
}

func testCommandsOnSurveysFromTheStore(t *testing.T, e env) {
	ctx := context.Background()
	smtp := testenv.StartSMTP(t)
	e = withMail(e, smtp)
	svc := start(t, e)
	admin := staffBrowser(t, svc, "admin", "")

	// A new survey from the filled example workbook, and a new version of
	// the bundled self-assessment with a new title, both published on the
	// staff pages.
	const id = "example-cli"
	example := editWorkbook(t, download(t, admin, "/staff/surveys/example.xlsx"), map[string]string{"settings!B2": id})
	p := uploadFrom(t, admin, "/staff/surveys/new", "/staff/surveys/new/upload", "example.xlsx", example).must(t, http.StatusOK)
	admin.postFrom(p.URL.Path, p.URL.Path+"/publish", url.Values{"reason": {"Our own survey"}}).must(t, http.StatusOK)
	if _, err := os.Stat(filepath.Join(e["IWT_SURVEYS_DIR"], id+".yaml")); err == nil {
		t.Fatalf("%s has a file in the surveys folder", id)
	}
	d := bundled(t)
	base := "/staff/surveys/" + d.ID + "/versions"
	const title = "Integrated working self-assessment, published on the staff pages"
	p = uploadSurvey(t, admin, d.ID, "iw.xlsx", editWorkbook(t, download(t, admin, base+"/live/workbook.xlsx"), map[string]string{"settings!A2": title})).must(t, http.StatusOK)
	published := p.URL.Path[strings.LastIndex(p.URL.Path, "/")+1:]
	admin.postFrom(p.URL.Path, p.URL.Path+"/publish", url.Values{"reason": {"A new title"}}).must(t, http.StatusOK)

	// The embedded store is one process's at a time: the commands run
	// while the service is stopped. MongoDB's run beside it.
	embedded := e["MONGODB_URI"] == ""
	if embedded {
		svc.stop()
	}
	var out bytes.Buffer
	list := filepath.Join(t.TempDir(), "people.csv")
	os.WriteFile(list, []byte("email\nsam@example.org\n"), 0o600)
	if err := run(ctx, []string{"invite", "--survey", id, "--round", "baseline", "--organisation", "police", "--contacts", list}, e.getenv, &out, &out); err != nil {
		t.Fatalf("invite for a survey made on the staff pages: %v\n%s", err, out.String())
	}
	if err := run(ctx, []string{"remind", "--survey", id, "--round", "baseline"}, e.getenv, &out, &out); err != nil {
		t.Fatalf("remind for a survey made on the staff pages: %v\n%s", err, out.String())
	}
	if got := out.String(); !strings.Contains(got, "1 invitations queued for "+id+" baseline") || !strings.Contains(got, "1 people's links are unused") {
		t.Errorf("invite and remind said:\n%s", got)
	}
	err := run(ctx, []string{"invite", "--survey", "nosuch", "--round", "baseline", "--organisation", "police", "--contacts", list}, e.getenv, &out, &out)
	if err == nil || !strings.Contains(err.Error(), `invite: there is no survey "nosuch": the surveys served are `) ||
		!strings.Contains(err.Error(), id+", ") || !strings.Contains(err.Error(), d.ID) {
		t.Errorf("invite for an unknown survey: %v", err)
	}

	// Seeded: 20 responses, half in the round baseline, on the version
	// served; the self-assessment's on the version published, not its
	// file's.
	out.Reset()
	for _, args := range [][]string{{"seed", "--survey", id, "--responses", "20"}, {"seed", "--survey", d.ID, "--responses", "2"}} {
		if err := run(ctx, args, e.getenv, &out, &out); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
	}
	if !strings.Contains(out.String(), "wrote 20 responses to "+id) {
		t.Errorf("seed said:\n%s", out.String())
	}
	for _, r := range responses(t, e, d.ID) {
		if r.Version != published {
			t.Errorf("a response seeded to %s records version %s; want %s, the one published on the staff pages (the file's is %s)", d.ID, r.Version, published, d.Version)
		}
	}
	if embedded {
		svc = start(t, e)
		admin = staffBrowser(t, svc, "admin", "")
	}

	// The emails, sent by the service: each link opens the survey, and
	// the invitation's answers are sent. (A reminder is queued only once
	// the invitation was sent: beside MongoDB's running service it was,
	// and the reminder has the same link.)
	mails := smtp.WaitFor(t, 1, mailWait)
	var token string
	for _, m := range mails {
		link := mailLink.FindStringSubmatch(m.Body)
		if link == nil {
			t.Fatalf("no link in the email %q:\n%s", m.Subject, m.Body)
		}
		token = link[1]
	}
	nd := liveDefinition(t, e, id)
	sam := newBrowser(t, svc.URL)
	flow := "/s/" + id + "/baseline"
	if got := sam.get("/i/"+token).must(t, http.StatusOK); got.URL.Path != flow || !strings.Contains(got.Body, nd.Title) {
		t.Fatalf("the emailed link led to %s:\n%s", got.URL, text(got.Body))
	}
	answerAll(t, sam, nd, "baseline", nil)
	send(t, sam, flow)

	// With MongoDB, load answers the survey as the service serves it.
	sent := 1
	if !embedded {
		out.Reset()
		if err := run(ctx, []string{"load", "--target", svc.URL, "--survey", id, "--respondents", "1", "--responses", "1", "--duration", "5m"}, e.getenv, &out, &out); err != nil {
			t.Fatalf("load of a survey made on the staff pages: %v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), "\n1 responses confirmed in ") {
			t.Errorf("load said:\n%s", out.String())
		}
		sent++
	}

	// The report counts the seeded responses and those sent.
	inBaseline := 0
	for _, r := range responses(t, e, id) {
		if r.Round == "baseline" {
			inBaseline++
		}
	}
	if inBaseline != 10+sent {
		t.Errorf("%d responses in %s baseline; want 10 seeded and %d sent", inBaseline, id, sent)
	}
	closeRound(t, admin, nd, "baseline")
	agg := reportFigures(t, staffBrowser(t, svc, "analyst", ""), "/api/surveys/"+id+"/report?a=baseline")
	if n := agg.Rounds[0].Responses; n == nil || *n != 10+sent {
		t.Errorf("the report of %s baseline counts %v responses; want %d", id, n, 10+sent)
	}
}

// liveDefinition is a survey's live version, as the store holds it.
func liveDefinition(t *testing.T, e env, id string) *survey.Definition {
	t.Helper()
	st := storeOf(t, e)
	live, err := st.LiveSurveys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range live {
		if p.SurveyID != id {
			continue
		}
		v, err := st.SurveyVersion(context.Background(), id, p.Version)
		if err != nil {
			t.Fatal(err)
		}
		d, ps := versions.Parse(v)
		if d == nil {
			t.Fatal(ps)
		}
		return d
	}
	t.Fatalf("%s has no live version", id)
	return nil
}

// A survey file that broke after it was imported does not stop the
// commands: its survey is served from the store, and seeded and recounted
// there. A broken file never imported leaves its survey unserved, and the
// commands refuse rather than quietly leave it out. The commands import
// and publish nothing.
func TestCommandsBesideABrokenFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := bundled(t)
	data, err := os.ReadFile(filepath.Join("../../surveys", d.ID+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, d.ID+".yaml")
	os.WriteFile(file, data, 0o600)
	e := sqliteEnv(t)
	e["IWT_SURVEYS_DIR"] = dir
	start(t, e).stop() // imports the file
	os.WriteFile(file, []byte("title: Feeling safe: young people\n\tsections: []\n"), 0o600)

	ctx := context.Background()
	var out bytes.Buffer
	for _, args := range [][]string{{"seed", "--survey", d.ID, "--responses", "4"}, {"recount", "--all"}} {
		if err := run(ctx, args, e.getenv, &out, &out); err != nil {
			t.Fatalf("%s beside a broken file whose survey is in the store: %v\n%s", strings.Join(args, " "), err, out.String())
		}
	}
	if !strings.Contains(out.String(), d.ID+" baseline: 2 responses; the tallies equal a recount") {
		t.Errorf("recount --all said:\n%s", out.String())
	}
	for _, r := range responses(t, e, d.ID) {
		if r.Version != d.Version {
			t.Errorf("a seeded response records version %s, want %s, the one in the store", r.Version, d.Version)
		}
	}

	os.WriteFile(filepath.Join(dir, "typo.yaml"), []byte("title: Typo\nsectons: []\n"), 0o600)
	err = run(ctx, []string{"recount", "--all"}, e.getenv, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "typo.yaml:2: sectons: did you mean sections?") || strings.Contains(err.Error(), d.ID+".yaml") {
		t.Errorf("recount --all beside a broken file never imported: %v, want typo.yaml's problem only", err)
	}
	st := storeOf(t, e)
	if ids, err := st.SurveysWithVersions(ctx); err != nil || len(ids) != 1 || ids[0] != d.ID {
		t.Errorf("surveys with versions after the commands: %v, %v; want %s only", ids, err, d.ID)
	}
	if pubs, err := st.SurveyPublishes(ctx, d.ID); err != nil || len(pubs) != 1 {
		t.Errorf("%d publishes of %s after the commands (%v); want the service's import only", len(pubs), d.ID, err)
	}
}
