package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"iwtoolkit/internal/load"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

const loadHelp = `Usage: iwtoolkit load [--target URL]... [--survey ID] [--round R]
                      [--respondents N] [--responses N] [--duration D] [--watch-pid PID]
                      [--check-store]

Drives made-up respondents through a survey on a running service, as a
browser with JavaScript off would: start page, every question page and its
form, check answers, send, confirmation. It reports responses confirmed per
second and latency percentiles for each kind of page. It only drives a
service on this machine (loopback addresses) and stops by itself after
--responses responses or --duration, whichever comes first.

It answers the survey as the service serves it when MONGODB_URI is set
(the live version in the store: a survey made on the staff pages, or a
version published there, included). With the embedded store, which the
running service holds, it answers the survey as its file in
IWT_SURVEYS_DIR has it.

With several --target URLs every request goes to one of them at random, as
behind a load balancer without sticky sessions. With --watch-pid it prints
the service's resident memory every 10 seconds.

A send is confirmed when the service answers it with the way to the
confirmation page, and refused when it answers anything else (a 503 "not
sent yet"). With --check-store it then looks in the service's store (the
MongoDB in MONGODB_URI; the embedded store cannot be opened while the
service runs) and reports how many responses the round gained, how many
confirmed references are stored and how many refused sends were stored all
the same: both counts should be none but the first.

The responses it sends are stored as real ones: never point it at a
service holding real responses. Set IWT_SUBMIT_LIMIT=0 on the service, or
its rate limit will refuse the load.
`

// repeated is a flag that may be given more than once.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func runLoad(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flagSet("load", loadHelp, stdout)
	var targets repeated
	fs.Var(&targets, "target", "the service's base URL, on this machine (default http://127.0.0.1:8080); repeat for several instances")
	surveyID := fs.String("survey", "integrated-working", "the survey to answer")
	roundID := fs.String("round", "", "the round to answer (default: the survey's first open round)")
	respondents := fs.Int("respondents", 50, "how many respondents answer at once")
	responses := fs.Int("responses", 0, "stop after this many confirmed responses (0: no limit)")
	duration := fs.Duration("duration", time.Minute, "stop after this long (at most "+load.MaxDuration.String()+")")
	watch := fs.Int("watch-pid", 0, "print this process's resident memory every 10 seconds")
	seed := fs.Uint64("seed", uint64(time.Now().UnixNano()), "seed for the made-up answers")
	checkStore := fs.Bool("check-store", false, "count in the store (MONGODB_URI) the responses stored against those confirmed and refused")
	if err := parse(fs, args); err != nil {
		return err
	}
	if len(targets) == 0 {
		targets = repeated{"http://127.0.0.1:8080"}
	}
	cfg, surveys, err := settingsAndSurveys(getenv)
	if err != nil {
		return err
	}
	// With MongoDB, the survey as the service serves it (servedSurveys);
	// the embedded store is the running service's, so the file's.
	var st store.Store
	if cfg.MongoURI != "" {
		if st, _, err = openStore(ctx, cfg); err != nil {
			return err
		}
		defer st.Close(context.WithoutCancel(ctx))
		err = servedSurveys(ctx, st, surveys)
	} else {
		err = unserved(surveys)
	}
	if err != nil {
		return err
	}
	d, ok := surveys.Survey(*surveyID)
	if !ok {
		return noSurvey("load", *surveyID, surveys)
	}
	round := *roundID
	if i := slices.IndexFunc(d.Rounds, func(r survey.Round) bool { return r.Open }); round == "" && i >= 0 {
		round = d.Rounds[i].ID
	}
	if round == "" {
		return fmt.Errorf("survey %s has no round open in its file: give one with --round", d.ID)
	}
	run := load.Config{
		Targets: targets, Survey: d, Round: round,
		Respondents: *respondents, Responses: *responses, Duration: *duration, Seed: *seed,
	}
	if *watch > 0 {
		stopWatching := watchMemory(ctx, *watch, stdout)
		defer stopWatching()
	}
	before := 0
	if *checkStore {
		if st == nil {
			if st, _, err = openStore(ctx, cfg); err != nil {
				return fmt.Errorf("--check-store: %w", err)
			}
			defer st.Close(context.WithoutCancel(ctx))
		}
		if before, err = roundSize(ctx, st, d.ID, round); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%d respondents answering %s, round %s, on %s, for up to %s\n", *respondents, d.ID, round, strings.Join(targets, " "), *duration)
	res, err := load.Run(ctx, run)
	if err != nil {
		return err
	}
	res.Report(stdout)
	if *checkStore {
		return reportStored(ctx, st, d.ID, round, before, res, stdout)
	}
	return nil
}

// roundSize counts the responses stored in a round.
func roundSize(ctx context.Context, st store.Store, surveyID, round string) (int, error) {
	n := 0
	err := st.EachResponse(ctx, surveyID, []string{round}, func(survey.Response) error { n++; return nil })
	return n, err
}

// reportStored compares what the respondents were told with what the
// store holds.
func reportStored(ctx context.Context, st store.Store, surveyID, round string, before int, res *load.Result, w io.Writer) error {
	after, err := roundSize(ctx, st, surveyID, round)
	if err != nil {
		return err
	}
	confirmedStored := 0
	for _, ref := range res.References {
		if _, err := st.Response(ctx, ref); err == nil {
			confirmedStored++
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	refusedStored := 0
	for _, r := range res.Refused {
		if _, err := st.SubmittedResponse(ctx, survey.DraftKey(r.Token)); err == nil {
			refusedStored++
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	fmt.Fprintf(w, "stored: %d new responses in the round (%d before, %d after)\n", after-before, before, after)
	fmt.Fprintf(w, "confirmed and stored: %d of %d confirmed\n", confirmedStored, len(res.References))
	fmt.Fprintf(w, "refused but stored: %d of %d refused\n", refusedStored, len(res.Refused))
	fmt.Fprintf(w, "stored, not confirmed: %d (refused but stored, or cut off with no answer)\n", after-before-confirmedStored)
	return nil
}

// watchMemory prints a process's resident memory every 10 seconds until
// the returned function is called.
func watchMemory(ctx context.Context, pid int, w io.Writer) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		start := time.Now()
		tick := time.NewTicker(10 * time.Second)
		defer tick.Stop()
		for {
			if kb, err := residentKB(pid); err == nil {
				fmt.Fprintf(w, "memory at %3.0f s: %.1f MB resident\n", time.Since(start).Seconds(), float64(kb)/1024)
			} else {
				fmt.Fprintf(w, "memory: %v\n", err)
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}

// residentKB reads VmRSS from /proc (Linux).
func residentKB(pid int) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no VmRSS for process %d", pid)
}

var _ flag.Value = (*repeated)(nil)
