package main

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os/exec"
	"slices"
	"testing"
	"time"

	"iwtoolkit/internal/load"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/storetest"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/synthetic"
)

// process is the service running as a process of its own, which a test can
// kill as the operating system would.
type process struct {
	URL  string
	cmd  *exec.Cmd
	logs *listenLog
	done chan error // Wait's result
}

// startProcess runs the program (the test binary, told to run main) as a
// service with the environment e, and waits until it listens. It is killed
// at the end of the test if it still runs.
func startProcess(t *testing.T, e env) *process {
	t.Helper()
	cmd := binaryCmd(e, "serve")
	p := &process{cmd: cmd, logs: &listenLog{addr: make(chan string, 1)}, done: make(chan error, 1)}
	cmd.Stderr = p.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(p.kill)
	select {
	case addr := <-p.logs.addr:
		p.URL = "http://" + addr
	case err := <-p.done:
		p.done <- err
		t.Fatalf("service stopped before listening: %v\n%s", err, p.logs)
	case <-time.After(listenTimeout):
		t.Fatalf("service did not listen within %v\n%s", listenTimeout, p.logs)
	}
	return p
}

// kill sends SIGKILL and waits for the process to end.
func (p *process) kill() {
	p.cmd.Process.Kill()
	err := <-p.done
	p.done <- err // for another call
}

// TestKillMidLoad kills the service with SIGKILL in the middle of a load
// run, restarts it on the same store, and checks that nothing a respondent
// was told is lost or doubled:
//
//   - every response whose respondent saw a confirmation page is stored
//     exactly once;
//   - every respondent cut off part of the way through finds each answer
//     the service acknowledged in their draft, or their response stored
//     (the kill came after the store kept it, before they saw the page);
//   - every tally, what the reports read, equals a recount of the stored
//     responses;
//   - after the restart, the cut-off respondents carry on with their
//     cookie and send their answers.
func TestKillMidLoad(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs a load against a service in a child process")
	}
	t.Run("sqlite", func(t *testing.T) { testKillMidLoad(t, sqliteEnv(t), 30, 50) })
	t.Run("mongodb", func(t *testing.T) { testKillMidLoad(t, mongoEnv(t), 30, 10) })
}

// testKillMidLoad runs the load with that many respondents and kills the
// service part of the way from the kill-th confirmation to the next.
func testKillMidLoad(t *testing.T, e env, respondents, kill int) {
	e["IWT_SUBMIT_LIMIT"] = "0"
	d := bundled(t)
	const round = "baseline"
	flow := "/s/" + d.ID + "/" + round
	svc := startProcess(t, e)

	// The load runs until the kill cancels it; it stops by itself after
	// five minutes (a bound, not an expectation: on a quiet machine the
	// kill comes within seconds) only if the service never confirms enough
	// responses.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	began := time.Now()
	confirmed, enough := 0, make(chan time.Duration, 1)
	type outcome struct {
		res *load.Result
		err error
	}
	ran := make(chan outcome, 1)
	go func() {
		res, err := load.Run(ctx, load.Config{
			Targets: []string{svc.URL}, Survey: d, Round: round,
			Respondents: respondents, Duration: 5 * time.Minute, Seed: 1,
			Confirmed: func(string) { // called one at a time
				if confirmed++; confirmed == kill {
					enough <- time.Since(began) / time.Duration(kill) // the pace
				}
			},
		})
		ran <- outcome{res, err}
	}()
	select {
	case pace := <-enough:
		// Half way to the next confirmation at the pace so far: with one
		// respondent, part of the way through their answers rather than
		// at their start; with many, it makes no odds.
		time.Sleep(pace / 2)
	case o := <-ran:
		t.Fatalf("the load stopped before %d responses were confirmed: %v\n%s", kill, o.err, loadReport(o.res))
	}
	svc.kill() // with every respondent's request in flight or about to be
	cancel()
	o := <-ran
	if o.err != nil {
		t.Fatal(o.err)
	}
	res := o.res
	if respondents > 1 && len(res.Unfinished) == 0 {
		t.Errorf("the kill cut off no respondent part of the way through:\n%s", loadReport(res))
	}
	// The kill cuts requests off or refuses them; a page that came back
	// with a status a browser does not expect came from the live service.
	for kind := range res.Failures {
		if kind != "error" {
			t.Errorf("failures other than the kill's:\n%s", loadReport(res))
			break
		}
	}

	svc2 := start(t, e) // restarted on the same store
	st := storeOf(t, e)
	bg := context.Background()
	stored := map[string]int{}          // reference → how many times stored
	bySubmission := map[string]string{} // submission key → reference
	storedResponses := map[string]survey.Response{}
	err := st.EachResponse(bg, d.ID, nil, func(r survey.Response) error {
		stored[r.Reference]++
		if first, ok := bySubmission[r.SubmissionKey]; ok {
			t.Errorf("draft %.8s… stored twice: %s and %s", r.SubmissionKey, first, r.Reference)
		}
		bySubmission[r.SubmissionKey] = r.Reference
		storedResponses[r.Reference] = r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Confirmed responses are stored once each. More may be stored: a
	// send the store kept just before the kill, whose confirmation page
	// the respondent never saw; each respondent has at most one send in
	// flight, so at most one such response each.
	for _, ref := range res.References {
		if n := stored[ref]; n != 1 {
			t.Errorf("confirmed response %s stored %d times, want 1", ref, n)
		}
	}
	if len(res.References) != len(slices.Compact(slices.Sorted(slices.Values(res.References)))) {
		t.Errorf("two respondents were shown the same reference: %v", res.References)
	}
	if extra := len(storedResponses) - len(res.References); extra < 0 || extra > respondents {
		t.Errorf("%d responses stored, %d confirmed: want between %[2]d and %d", len(storedResponses), len(res.References), len(res.References)+respondents)
	}

	// Each cut-off respondent's acknowledged answers are in the response
	// stored from their draft, if the send was stored before the kill, or
	// else in their draft. On MongoDB a draft outlives its response when
	// the kill came between storing the response and deleting the draft
	// (there is no transaction to do both): sending it again shows the
	// stored response's confirmation.
	drafts := map[string]survey.Draft{}   // token → draft, of those to carry on
	sentBeforeKill := map[string]string{} // token → reference
	for _, u := range res.Unfinished {
		key := survey.DraftKey(u.Token)
		var got map[string]string
		r, err := st.SubmittedResponse(bg, key)
		switch {
		case err == nil:
			sentBeforeKill[u.Token], got = r.Reference, r.Answers
		case errors.Is(err, store.ErrNotFound):
			dr, err := st.Draft(bg, key)
			if err != nil {
				t.Errorf("cut-off respondent's draft %.8s…: neither the draft nor a response from it: %v", key, err)
				continue
			}
			drafts[u.Token], got = dr, dr.Answers
			if dr.SurveyID != d.ID || dr.Round != round || !time.Now().Before(dr.Expires) {
				t.Errorf("draft %.8s… is for %s %s and expires %s", key, dr.SurveyID, dr.Round, dr.Expires)
			}
		default:
			t.Fatal(err)
		}
		for k, v := range u.Saved {
			if got[k] != v {
				t.Errorf("draft %.8s…: acknowledged answer %s=%q, stored %q", key, k, v, got[k])
			}
		}
	}

	// The tallies equal a count of the stored responses, and a recount
	// finds nothing to repair.
	storetest.TalliesMatchResponses(t, st, store.PlanFor(d), round)

	// After the restart the cut-off respondents carry on with their
	// cookie: those with a draft answer the rest and send; those whose
	// send was stored before the kill are shown its confirmation.
	rng := rand.New(rand.NewPCG(2, 0))
	resumed := map[string]string{} // token → reference
	for _, u := range res.Unfinished {
		b := newBrowser(t, svc2.URL)
		base, _ := url.Parse(svc2.URL + flow + "/")
		b.client.Jar.SetCookies(base, []*http.Cookie{{Name: "iwt_draft", Value: u.Token, Path: flow}})
		if ref, ok := sentBeforeKill[u.Token]; ok {
			if again := send(t, b, flow); again != ref {
				t.Errorf("sending again a response stored before the kill: reference %s, want %s", again, ref)
			}
			continue
		}
		answers := maps.Clone(drafts[u.Token].Answers)
		for range d.Sections {
			missing := d.Incomplete(survey.Draft{Answers: answers})
			if len(missing) == 0 {
				break
			}
			sec := missing[0]
			b.postWithToken(flow+"/section/"+sec.ID, synthetic.Form(d, sec, answers, rng)).must(t, http.StatusOK)
		}
		resumed[u.Token] = send(t, b, flow)
	}
	for token, ref := range resumed {
		r, err := st.Response(bg, ref)
		if err != nil {
			t.Errorf("response %s sent after the restart: %v", ref, err)
			continue
		}
		if r.SubmissionKey != survey.DraftKey(token) {
			t.Errorf("response %s was not stored from the respondent's draft", ref)
		}
		for k, v := range drafts[token].Answers {
			if r.Answers[k] != v {
				t.Errorf("response %s sent after the restart: answer %s=%q, the draft had %q", ref, k, r.Answers[k], v)
			}
		}
	}
	if n := len(responses(t, e, d.ID)); n != len(storedResponses)+len(resumed) {
		t.Errorf("after the cut-off respondents carried on: %d responses stored, want %d", n, len(storedResponses)+len(resumed))
	}
	storetest.TalliesMatchResponses(t, st, store.PlanFor(d), round)
	t.Logf("%d respondents: %d responses confirmed before the kill, %d stored; %d cut off: %d drafts checked and sent after the restart, %d sent before the kill; failures %v",
		respondents, len(res.References), len(storedResponses), len(res.Unfinished), len(resumed), len(sentBeforeKill), res.Failures)
}

// loadReport is a load result's figures, for a failure message.
func loadReport(res *load.Result) string {
	if res == nil {
		return ""
	}
	var b bytes.Buffer
	res.Report(&b)
	return b.String()
}
