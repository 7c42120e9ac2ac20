package main

import (
	"context"
	"fmt"
	"io"

	"iwtoolkit/internal/store"
)

const recountHelp = `Usage: iwtoolkit recount --survey ID --round R

Recounts a round's figures from its stored responses, compares them with the
tallies the store keeps for the reports, reports any difference, and repairs
it. The tallies are exact by design; this is the check.
`

func recount(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flagSet("recount", recountHelp, stdout)
	surveyID := fs.String("survey", "", "the survey's id")
	round := fs.String("round", "", "the round's id")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *surveyID == "" || *round == "" {
		fmt.Fprintln(stdout, "iwtoolkit recount: give --survey and --round")
		return errUsage
	}
	st, d, err := openWithSurvey(ctx, getenv, *surveyID)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if _, ok := d.Round(*round); !ok {
		return fmt.Errorf("survey %s has no round %q", d.ID, *round)
	}
	res, err := st.Recount(ctx, store.PlanFor(d), *round)
	if err != nil {
		return err
	}
	if res.Differences == 0 {
		fmt.Fprintf(stdout, "%s %s: %d responses; the tallies equal a recount\n", d.ID, *round, res.Responses)
		return nil
	}
	fmt.Fprintf(stdout, "%s %s: %d responses; %d tallied counts differed from a recount and were repaired\n", d.ID, *round, res.Responses, res.Differences)
	return nil
}
