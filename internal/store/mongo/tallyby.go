package mongo

import (
	"context"
	"fmt"
	"slices"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// TalliesBy is Tallies split by one breakdown (a name of
// survey.Breakdowns): per round, per answer to the breakdown's question
// ("" for no answer), the counts of the cells the filter keeps, summed in
// the client as Tallies does. With answers false only the numbers of
// responses are summed.
func (s *Store) TalliesBy(ctx context.Context, p store.TallyPlan, rounds []string, f store.Filter, by string, answers bool) (map[string]map[string]*store.Counts, error) {
	col := slices.Index(survey.Breakdowns, by)
	if col < 0 {
		return nil, fmt.Errorf("mongo: tallies by %q: no such breakdown", by)
	}
	if err := s.catchUp(ctx, p); err != nil {
		return nil, err
	}
	sums := map[string]map[string]*cellSum{}
	err := s.sumTallies(ctx, p, rounds, f, answers, func(round string, cell store.Cell) *cellSum {
		byValue := sums[round]
		if byValue == nil {
			byValue = map[string]*cellSum{}
			sums[round] = byValue
		}
		sum := byValue[cell[col]]
		if sum == nil {
			sum = &cellSum{}
			byValue[cell[col]] = sum
		}
		return sum
	})
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]*store.Counts{}
	for round, byValue := range sums {
		out[round] = map[string]*store.Counts{}
		for v, sum := range byValue {
			out[round][v] = sum.result()
		}
	}
	return out, nil
}

// CellSizes are the numbers of responses per breakdown cell, by round.
func (s *Store) CellSizes(ctx context.Context, p store.TallyPlan, rounds []string) (map[string]map[store.Cell]int, error) {
	if err := s.catchUp(ctx, p); err != nil {
		return nil, err
	}
	kept, err := s.keptCells(ctx, p, rounds, false) // the numbers of responses only
	if err != nil {
		return nil, err
	}
	out := map[string]map[store.Cell]int{}
	for round, cells := range kept {
		out[round] = map[store.Cell]int{}
		for cell, c := range cells {
			out[round][cell] += c.Responses
		}
	}
	return out, nil
}
