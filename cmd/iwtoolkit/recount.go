package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
)

const recountHelp = `Usage: iwtoolkit recount --survey ID --round R
       iwtoolkit recount --all

Recounts the report figures of a round (--all: of every round of every
survey) from the stored responses, compares them with the tallies the store
keeps for the reports, reports any difference, and repairs it. The tallies
are exact by design; this is the check, and the repair.

On the embedded store it first checks the database file (SQLite's
quick_check), as the service does at start-up. A damaged file, which the
service refuses to start on, is rebuilt from what can still be read: a new
file holding every record but the tallies, which are then counted again
from the responses. The damaged file is kept beside it, as
iwtoolkit.db.damaged-TIME. If the responses themselves are damaged, this
cannot mend them, and says so: restore the file from a backup. Stop the
service first: recount, like the service, needs the data folder to itself.
`

func recount(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flagSet("recount", recountHelp, stdout)
	surveyID := fs.String("survey", "", "the survey's id")
	round := fs.String("round", "", "the round's id")
	all := fs.Bool("all", false, "every round of every survey")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *all == (*surveyID != "" || *round != "") || !*all && (*surveyID == "" || *round == "") {
		fmt.Fprintln(stdout, "iwtoolkit recount: give --survey and --round, or --all")
		return errUsage
	}
	cfg, surveys, err := settingsAndSurveys(getenv)
	if err != nil {
		return err
	}
	if cfg.MongoURI == "" {
		if err := repairFile(ctx, cfg.DataDir, stdout); err != nil {
			return err
		}
	}
	st, _, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if err := servedSurveys(ctx, st, surveys); err != nil {
		return err
	}

	type job struct {
		d     *survey.Definition
		round string
	}
	var jobs []job
	if *all {
		for _, d := range surveys.All() {
			rounds, err := roundsOf(ctx, st, d)
			if err != nil {
				return err
			}
			for _, r := range rounds {
				jobs = append(jobs, job{d, r})
			}
		}
	} else {
		d, ok := surveys.Survey(*surveyID)
		if !ok {
			return noSurvey("recount", *surveyID, surveys)
		}
		if _, ok := d.Round(*round); !ok {
			return fmt.Errorf("survey %s has no round %q", d.ID, *round)
		}
		jobs = append(jobs, job{d, *round})
	}
	for _, j := range jobs {
		res, err := st.Recount(ctx, store.PlanFor(j.d), j.round)
		if err != nil {
			return err
		}
		if res.Differences == 0 {
			fmt.Fprintf(stdout, "%s %s: %d responses; the tallies equal a recount\n", j.d.ID, j.round, res.Responses)
			continue
		}
		fmt.Fprintf(stdout, "%s %s: %d responses; %d tallied counts differed from a recount and were repaired\n", j.d.ID, j.round, res.Responses, res.Differences)
	}
	return nil
}

// repairFile checks the embedded store's file, and rebuilds it if it is
// damaged, saying what it found and did.
func repairFile(ctx context.Context, dir string, stdout io.Writer) error {
	res, err := sqlite.Repair(ctx, dir)
	if len(res.Problems) > 0 {
		fmt.Fprintf(stdout, "%s/%s is damaged: %s\n", dir, sqlite.FileName, strings.Join(res.Problems, "; "))
	}
	if err != nil {
		return err
	}
	if len(res.Problems) == 0 {
		return nil
	}
	var copied []string
	for _, t := range slices.Sorted(maps.Keys(res.Rows)) {
		copied = append(copied, fmt.Sprintf("%s %d", t, res.Rows[t]))
	}
	fmt.Fprintf(stdout, "rebuilt it from what could be read (rows copied: %s); the tallies are counted again from the responses; the damaged file is kept as %s\n",
		strings.Join(copied, ", "), res.Kept)
	return nil
}

// roundsOf are a survey's rounds: those of its file, then those added in
// the service, as stored.
func roundsOf(ctx context.Context, st store.Store, d *survey.Definition) ([]string, error) {
	var out []string
	for _, r := range d.Rounds {
		out = append(out, r.ID)
	}
	states, err := st.RoundStates(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	for _, s := range states {
		if !slices.Contains(out, s.Round) {
			out = append(out, s.Round)
		}
	}
	return out, nil
}
