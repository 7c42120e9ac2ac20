package report

import (
	"context"

	"iwtoolkit/internal/survey"
)

// EachResponse streams a survey's responses in some rounds, as the stores'
// method of that name does.
type EachResponse func(ctx context.Context, surveyID string, rounds []string, fn func(survey.Response) error) error

// Count tallies the stored responses of the given rounds, in one pass, and
// compares them.
func Count(ctx context.Context, d *survey.Definition, rounds []survey.Round, each EachResponse) (*Comparison, error) {
	tallies := make([]*Tally, len(rounds))
	index := map[string]int{}
	ids := make([]string, len(rounds))
	for i, r := range rounds {
		tallies[i], index[r.ID], ids[i] = NewTally(), i, r.ID
	}
	err := each(ctx, d.ID, ids, func(r survey.Response) error {
		tallies[index[r.Round]].Add(r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return Compare(d, rounds, tallies), nil
}
