package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// TalliesBy is Tallies split by one breakdown (a name of
// survey.Breakdowns): per round, per answer to the breakdown's question
// ("" for no answer), the counts of the cells the filter keeps. It reads
// the same rows as Tallies, so a breakdown costs one read, not one per
// answer. With answers false only the numbers of responses are read,
// which needs no counts decoded.
func (s *Store) TalliesBy(ctx context.Context, p store.TallyPlan, rounds []string, f store.Filter, by string, answers bool) (map[string]map[string]*store.Counts, error) {
	col := slices.Index(survey.Breakdowns, by)
	if col < 0 {
		return nil, errorf("sqlite: tallies by %q: no such breakdown", by)
	}
	need, err := s.needsCatchUp(ctx, p)
	if err != nil {
		return nil, errorf("sqlite: tallies by: %w", err)
	}
	if need {
		if err := s.inTx(ctx, func(tx *txn) error { return catchUp(ctx, tx, p) }); err != nil {
			return nil, errorf("sqlite: tallies by: catch up: %w", err)
		}
	}
	blob := `counts`
	if !answers {
		blob = `NULL`
	}
	where, args := talliesWhere(p, rounds, f)
	rows, err := s.read.QueryContext(ctx, `SELECT round, `+cellColumns[col]+`, responses, `+blob+` FROM tallies WHERE `+where, args...)
	if err != nil {
		return nil, errorf("sqlite: tallies by: %w", err)
	}
	defer rows.Close()
	type group struct{ round, value string }
	out := map[string]map[string]*store.Counts{}
	accs := map[group]*accumulator{}
	for rows.Next() {
		var g group
		var n int
		var counts sql.RawBytes
		if err := rows.Scan(&g.round, &g.value, &n, &counts); err != nil {
			return nil, errorf("sqlite: tallies by: %w", err)
		}
		byValue := out[g.round]
		if byValue == nil {
			byValue = map[string]*store.Counts{}
			out[g.round] = byValue
		}
		c := byValue[g.value]
		if c == nil {
			c = store.NewCounts()
			byValue[g.value] = c
		}
		c.Responses += n
		if !answers {
			continue
		}
		acc := accs[g]
		if acc == nil {
			acc = &accumulator{}
			accs[g] = acc
		}
		if err := acc.add(counts); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, errorf("sqlite: tallies by: %w", err)
	}
	for g, acc := range accs {
		acc.into(out[g.round][g.value])
	}
	return out, nil
}

// CellSizes are the numbers of responses per breakdown cell, by round: what
// a check of crossed breakdowns needs, in one read with no counts decoded.
func (s *Store) CellSizes(ctx context.Context, p store.TallyPlan, rounds []string) (map[string]map[store.Cell]int, error) {
	need, err := s.needsCatchUp(ctx, p)
	if err != nil {
		return nil, errorf("sqlite: cell sizes: %w", err)
	}
	if need {
		if err := s.inTx(ctx, func(tx *txn) error { return catchUp(ctx, tx, p) }); err != nil {
			return nil, errorf("sqlite: cell sizes: catch up: %w", err)
		}
	}
	where, args := talliesWhere(p, rounds, nil)
	rows, err := s.read.QueryContext(ctx, `SELECT round, `+strings.Join(cellColumns[:], ", ")+`, responses FROM tallies WHERE `+where, args...)
	if err != nil {
		return nil, errorf("sqlite: cell sizes: %w", err)
	}
	defer rows.Close()
	out := map[string]map[store.Cell]int{}
	for rows.Next() {
		var round string
		var c store.Cell
		var n int
		if err := rows.Scan(&round, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &n); err != nil {
			return nil, errorf("sqlite: cell sizes: %w", err)
		}
		if out[round] == nil {
			out[round] = map[store.Cell]int{}
		}
		out[round][c] += n
	}
	return out, rows.Err()
}
