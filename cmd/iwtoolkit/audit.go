package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

const auditHelp = `Usage: iwtoolkit audit --survey ID [--round R]

Checks that no figure about fewer than the survey's minimum group can be
read, or worked out by adding and subtracting, from anything the service
publishes of a round: the figures it would publish from the responses
stored now, for every filter and crossing, every view, the JSON API, the
CSV of aggregates, the Board pack, completion of invitations, and the
paired comparison with every other round. It reads the store and changes
nothing. Run it before publishing a Board pack.

Each leak is printed with the group and the figure. A count that can be
worked out only with the help of zeros the figures show (a group of at
least the minimum in which nobody gave an answer) is counted, not printed
(see docs/data-protection.md). Exits 1 when it finds a leak.
`

var errLeaks = errors.New("the audit found figures about fewer than the minimum group that can be worked out")

func audit(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flagSet("audit", auditHelp, stdout)
	surveyID := fs.String("survey", "", "the survey's id")
	round := fs.String("round", "", "one round's id (every round when left out)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *surveyID == "" {
		fmt.Fprintln(stdout, "iwtoolkit audit: give --survey")
		return errUsage
	}
	st, d, err := openWithSurvey(ctx, getenv, *surveyID)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	rounds := d.Rounds
	if *round != "" {
		r, ok := d.Round(*round)
		if !ok {
			return fmt.Errorf("survey %s has no round %q", d.ID, *round)
		}
		rounds = []survey.Round{r}
	}
	found := 0
	report1 := func(what string, leaks []disclosure.Leak) {
		zeros := 0
		for _, l := range leaks {
			if l.ThroughZeros {
				zeros++
				continue
			}
			found++
			fmt.Fprintf(stdout, "%s: LEAK: %v\n", what, l)
		}
		fmt.Fprintf(stdout, "%s: %d leaks; %d counts fixed only through shown zeros\n", what, len(leaks)-zeros, zeros)
	}
	plan := store.PlanFor(d)
	now := time.Now()
	for _, r := range rounds {
		tallies, err := st.CellTallies(ctx, plan, r.ID)
		if err != nil {
			return err
		}
		cells := make([]report.CellCounts, 0, len(tallies))
		for c, n := range tallies {
			cells = append(cells, report.CellCounts{Cell: c, Responses: n.Responses, Answers: n.Answers})
		}
		pub := report.Publish(d, r.ID, cells, now)
		report1(fmt.Sprintf("%s %s (%d responses, %d groups shown)", d.ID, r.ID, pub.Responses, len(pub.Groups)), report.Leaks(d, cells, pub))
	}
	for i, a := range d.Rounds {
		for _, b := range d.Rounds[i+1:] {
			if *round != "" && a.ID != *round && b.ID != *round {
				continue
			}
			pairs, err := report.ReadPairs(ctx, d, a.ID, b.ID, now, st.EachResponse)
			if err != nil {
				return err
			}
			report1(fmt.Sprintf("%s pairs %s and %s", d.ID, a.ID, b.ID), pairs.Audit())
		}
	}
	if found > 0 {
		return errLeaks
	}
	return nil
}
