package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/synthetic"
	"iwtoolkit/internal/versions"
)

const seedHelp = `Usage: iwtoolkit seed --responses N [--survey ID]

Writes N made-up responses to a survey (default: the first survey) into the
configured store, spread across its rounds and every answer of its sector,
organisation, audience and workforce questions. They answer the version
the service serves: the survey's live version in the store (published on
the staff pages, or imported from its file), so a survey made on the staff
pages, with no file, can be seeded. They are stored in
batches of 10,000 through the store's bulk path, which counts them in its
tallies as it stores them, so the tallies stay exact. Seeding again adds
to what an earlier run wrote. For trying the reports at scale: never run
it against a store holding real responses.
`

func seed(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flagSet("seed", seedHelp, stdout)
	n := fs.Int("responses", 0, "how many responses to write")
	surveyID := fs.String("survey", "", "the survey's id (default: the first survey)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n <= 0 {
		fmt.Fprintln(stdout, "iwtoolkit seed: --responses must be a positive number")
		return errUsage
	}
	st, d, err := openWithSurvey(ctx, getenv, *surveyID)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	start := time.Now()
	rounds := d.Rounds
	if err := synthetic.SeedBulk(ctx, st, d, rounds, *n, uint64(start.UnixNano())); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "wrote %d responses to %s across %d rounds in %v (%.0f a second)\n", *n, d.ID, len(rounds), took.Round(time.Millisecond), float64(*n)/took.Seconds())
	fmt.Fprintf(stdout, "reports show a round's figures once it has closed: close it at /staff/surveys/%s/rounds/{round}\n", d.ID)
	return nil
}

// openWithSurvey loads the settings, opens the store, serves the surveys
// as the service does (servedSurveys) and picks one: the first when id is
// "".
func openWithSurvey(ctx context.Context, getenv func(string) string, id string) (store.Store, *survey.Definition, error) {
	cfg, surveys, err := settingsAndSurveys(getenv)
	if err != nil {
		return nil, nil, err
	}
	st, _, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := servedSurveys(ctx, st, surveys); err != nil {
		st.Close(context.WithoutCancel(ctx))
		return nil, nil, err
	}
	var d *survey.Definition
	if id == "" && len(surveys.All()) > 0 {
		d = surveys.All()[0]
	} else if found, ok := surveys.Survey(id); ok {
		d = found
	}
	if d == nil {
		st.Close(context.WithoutCancel(ctx))
		return nil, nil, noSurvey("seed", id, surveys)
	}
	return st, d, nil
}

// planTallies tells the store what to count for every survey.
func planTallies(st store.Store, surveys *survey.Catalogue) {
	for _, d := range surveys.All() {
		st.PlanTallies(store.PlanFor(d))
	}
}

// withPublished plans the tallies of the surveys, then serves in their
// place the versions published in the store (on the staff pages), as the
// service does, so that a command counts and checks what the service
// serves. It imports no file: only serve does.
func withPublished(ctx context.Context, st store.Store, surveys *survey.Catalogue) error {
	planTallies(st, surveys)
	return versions.New(st, surveys, slog.New(slog.DiscardHandler), time.Now).Refresh(ctx)
}
