package sqlite

import (
	"context"
	"database/sql"
	"errors"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// SubmitMany stores responses in one transaction, all or none, through the
// same write path as Submit (the batcher) and counts them in the same
// transaction: each cell's counts are added up in memory and its row is
// read and written once for the whole batch, rather than once a response,
// which is what makes bulk loading fast. Under a changed plan the survey's
// tallies are rebuilt, these responses included, as Submit does.
func (s *Store) SubmitMany(ctx context.Context, rs []survey.Response) (int, error) {
	if err := store.CheckBulk(rs); err != nil {
		return 0, errorf("sqlite: submit many: %w", err)
	}
	var stored int
	err := s.batch.do(ctx, nil, func(ctx context.Context, tx *txn) error {
		stored = 0
		plans := map[string]*bulkPlan{}
		layouts := map[int64]bool{} // kept in this transaction
		for _, r := range rs {
			bp, err := s.bulkPlan(ctx, tx, plans, r.SurveyID)
			if err != nil {
				return err
			}
			tallied := 0
			if bp.current {
				tallied = 1
			}
			sum := summaryOf(r.Answers) // summary.go
			res, err := tx.ExecContext(ctx, `
INSERT INTO responses (reference, survey_id, version, round, answers, submitted, submission_key, respondent_key, invitation, tallied, layout, closed)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)
ON CONFLICT (submission_key) DO NOTHING`,
				r.Reference, r.SurveyID, r.Version, r.Round, encode(r.Answers),
				r.Submitted.UnixMilli(), r.SubmissionKey, r.RespondentKey, tallied, sum.layoutArg(), sum.closedArg())
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n == 0 {
				continue // stored before
			}
			if !layouts[sum.id] {
				if err := sum.keepLayout(ctx, tx); err != nil {
					return err
				}
				layouts[sum.id] = true
			}
			stored++
			if bp.current {
				key := bulkCell{round: r.Round, cell: bp.plan.CellOf(r)}
				c := bp.cells[key]
				if c == nil {
					c = store.NewCounts()
					bp.cells[key] = c
				}
				c.AddResponse(bp.plan, r)
			}
		}
		for _, bp := range plans {
			switch {
			case bp.plan.SurveyID == "":
				// no plan: left untallied, counted by the next read
			case !bp.current:
				if err := catchUp(ctx, tx, bp.plan); err != nil {
					return err
				}
			default:
				for key, c := range bp.cells {
					if err := addCounts(ctx, tx, bp.plan.SurveyID, key.round, key.cell, c); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return 0, errorf("sqlite: submit many: a reference is taken: %w", store.ErrConflict)
	}
	if err != nil {
		return 0, errorf("sqlite: submit many: %w", err)
	}
	return stored, nil
}

// bulkPlan is what SubmitMany counts for one survey: its plan ("" survey
// id when it has none), whether the stored tallies are under it, and the
// batch's counts by cell.
type bulkPlan struct {
	plan    store.TallyPlan
	current bool
	cells   map[bulkCell]*store.Counts
}

type bulkCell struct {
	round string
	cell  store.Cell
}

func (s *Store) bulkPlan(ctx context.Context, tx *txn, plans map[string]*bulkPlan, surveyID string) (*bulkPlan, error) {
	if bp, ok := plans[surveyID]; ok {
		return bp, nil
	}
	bp := &bulkPlan{cells: map[bulkCell]*store.Counts{}}
	if p, ok := s.plan(surveyID); ok {
		var kept string
		err := tx.QueryRowContext(ctx, `SELECT fingerprint FROM tally_plans WHERE survey_id = ?`, surveyID).Scan(&kept)
		if err != nil && err != sql.ErrNoRows {
			return nil, err
		}
		bp.plan, bp.current = p, kept == p.Fingerprint()
	}
	plans[surveyID] = bp
	return bp, nil
}
