package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"iwtoolkit/internal/store"
)

// publicationsSchema is migration 9: one row per round, replaced in place
// on condition of its version (Publish).
const publicationsSchema = `
CREATE TABLE publications (
	survey_id TEXT NOT NULL,
	round     TEXT NOT NULL,
	version   INTEGER NOT NULL,
	basis     TEXT NOT NULL,
	responses INTEGER NOT NULL,
	at        INTEGER NOT NULL,
	data      BLOB NOT NULL,
	PRIMARY KEY (survey_id, round)
);
`

// Publication returns a round's publication, or ErrNotFound.
func (s *Store) Publication(ctx context.Context, surveyID, round string, data bool) (store.Publication, error) {
	p := store.Publication{SurveyID: surveyID, Round: round}
	blob := `NULL`
	if data {
		blob = `data`
	}
	var at int64
	err := s.read.QueryRowContext(ctx, `SELECT version, basis, responses, at, `+blob+` FROM publications WHERE survey_id = ? AND round = ?`,
		surveyID, round).Scan(&p.Version, &p.Basis, &p.Responses, &at, &p.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Publication{}, errorf("sqlite: publication %s/%s: %w", surveyID, round, store.ErrNotFound)
	}
	if err != nil {
		return store.Publication{}, errorf("sqlite: publication %s/%s: %w", surveyID, round, err)
	}
	p.At = fromMillis(at)
	return p, nil
}

// Publish replaces version prev of a round's publication, in one
// transaction with reading which version is stored.
func (s *Store) Publish(ctx context.Context, p store.Publication, prev int64) (store.Publication, error) {
	p.Version = prev + 1
	p.At = fromMillis(millis(p.At))
	err := s.inTx(ctx, func(tx *txn) error {
		var stored int64
		err := tx.QueryRowContext(ctx, `SELECT version FROM publications WHERE survey_id = ? AND round = ?`, p.SurveyID, p.Round).Scan(&stored)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if stored != prev {
			return store.ErrConflict
		}
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO publications (survey_id, round, version, basis, responses, at, data)
VALUES (?, ?, ?, ?, ?, ?, ?)`, p.SurveyID, p.Round, p.Version, p.Basis, p.Responses, millis(p.At), p.Data)
		return err
	})
	if err != nil {
		return store.Publication{}, errorf("sqlite: publish %s/%s: %w", p.SurveyID, p.Round, err)
	}
	return p, nil
}

// CellTallies returns a round's counts per breakdown cell.
func (s *Store) CellTallies(ctx context.Context, p store.TallyPlan, round string) (map[store.Cell]*store.Counts, error) {
	need, err := s.needsCatchUp(ctx, p)
	if err != nil {
		return nil, errorf("sqlite: cell tallies: %w", err)
	}
	if need {
		if err := s.inTx(ctx, func(tx *txn) error { return catchUp(ctx, tx, p) }); err != nil {
			return nil, errorf("sqlite: cell tallies: catch up: %w", err)
		}
	}
	cells, err := keptCells(ctx, s.read, p.SurveyID, round)
	if err != nil {
		return nil, errorf("sqlite: cell tallies: %w", err)
	}
	return cells, nil
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
