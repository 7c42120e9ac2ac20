package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Each response keeps its closed answers (store.SummaryOf) in two columns
// of its own row, layout and closed, set in the statement that inserts it,
// and the index responses_closed holds them with what a reader of every
// response needs (round, time, respondent key, invitation): EachAnswers
// reads the index alone, about a tenth of the table. Deleting a response
// deletes its index entry, so an erasure leaves nothing of it. The
// layouts, a survey's answer keys (question IDs), are kept once each in
// answer_layouts; they hold no answers and are never deleted.
const summarySchema = `
ALTER TABLE responses ADD COLUMN layout INTEGER;
ALTER TABLE responses ADD COLUMN closed TEXT;
CREATE TABLE answer_layouts (
	id   INTEGER PRIMARY KEY,
	keys TEXT NOT NULL
);
`

// summaryIndex is made after the backfill (migration 18), which is
// quicker than keeping it up to date row by row. It is by round first: a
// round's responses are one stretch of it, which the pairs' two reads
// (one a round, at once) each read alone. The row id after the time
// gives the order EachResponse reads in (ORDER BY submitted, id) from the
// index alone. Migration 17 had made it by time first, so that a read of
// one round stepped over every other round's entries.
const summaryIndex = `
DROP INDEX IF EXISTS responses_closed;
CREATE INDEX responses_closed ON responses (survey_id, round, submitted, id, respondent_key, invitation, layout, closed);
`

// backfillSummaries gives the responses stored before the migration their
// summaries, a thousand at a time, in the migration's transaction; the
// index that reads them is made after (summaryIndex).
func backfillSummaries(ctx context.Context, tx *txn) error {
	type row struct {
		id      int64
		answers string
	}
	kept := map[int64]bool{}
	var last int64
	for {
		rows, err := tx.Tx.QueryContext(ctx, `SELECT id, answers FROM responses WHERE id > ? ORDER BY id LIMIT 1000`, last)
		if err != nil {
			return err
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.answers); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		for _, r := range batch {
			var answers map[string]string
			if err := decode(&answers, r.answers); err != nil {
				continue // left without a summary: read whole
			}
			sum := summaryOf(answers)
			if _, err := tx.Tx.ExecContext(ctx, `UPDATE responses SET layout = ?, closed = ? WHERE id = ?`, sum.layoutArg(), sum.closedArg(), r.id); err != nil {
				return err
			}
			if sum.id != 0 && !kept[sum.id] {
				if err := sum.keepLayout(ctx, tx); err != nil {
					return err
				}
				kept[sum.id] = true
			}
		}
		last = batch[len(batch)-1].id
	}
	return nil
}

// summary is a response's summary as stored.
type summary struct {
	id             int64
	layout, closed string
}

func summaryOf(answers map[string]string) summary {
	id, layout, closed := store.SummaryOf(answers)
	return summary{id, layout, closed}
}

// layoutArg and closedArg are the columns' values: NULL without a summary.
func (s summary) layoutArg() any {
	if s.id == 0 {
		return nil
	}
	return s.id
}

func (s summary) closedArg() any {
	if s.id == 0 {
		return nil
	}
	return s.closed
}

// keepLayout stores the summary's layout if it is new, in the
// transaction that stores the response.
func (s summary) keepLayout(ctx context.Context, tx *txn) error {
	if s.id == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO answer_layouts (id, keys) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`, s.id, s.layout)
	return err
}

// EachAnswers streams a survey's responses in some rounds, oldest first,
// as EachResponse does, with only the answers to keys: values[i] is the
// answer to keys[i] ("" for none), and the response's Answers and
// Reference are not set. It reads the responses' summaries (the index
// responses_closed, about 150 bytes a response) rather than their
// answers (1.5 KB); a response whose summary cannot give every key (one
// of them not a closed answer) is read whole. values is reused between
// calls. One round is one stretch of the index, read in order; several
// are sorted by time as they are read.
func (s *Store) EachAnswers(ctx context.Context, surveyID string, rounds []string, keys []string, fn func(survey.Response, []string) error) error {
	// One connection in one read transaction: a response read whole is
	// read in the same snapshot as the summaries.
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return errorf("sqlite: responses: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN`); err != nil {
		return errorf("sqlite: responses: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
	layouts := map[int64]string{}
	lrows, err := conn.QueryContext(ctx, `SELECT id, keys FROM answer_layouts`)
	if err != nil {
		return errorf("sqlite: answer layouts: %w", err)
	}
	for lrows.Next() {
		var id int64
		var k string
		if err := lrows.Scan(&id, &k); err != nil {
			lrows.Close()
			return errorf("sqlite: answer layouts: %w", err)
		}
		layouts[id] = k
	}
	if err := lrows.Close(); err != nil {
		return errorf("sqlite: answer layouts: %w", err)
	}
	sr := store.NewSummaryReader(keys, layouts)
	// A round asked alone is known: each column read costs the driver two
	// turns of a mutex.
	columns := `id, round, layout, closed, submitted, respondent_key, invitation`
	if len(rounds) == 1 {
		columns = `id, layout, closed, submitted, respondent_key, invitation`
	}
	query, args := responsesIn(columns, surveyID, rounds)
	query = strings.Replace(query, `FROM responses WHERE`, `FROM responses INDEXED BY responses_closed WHERE`, 1)
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return errorf("sqlite: responses: %w", err)
	}
	defer rows.Close()
	pick := newPicker(keys)
	whole := make([]string, len(keys))
	// Scanned into once, outside the loop: each target's address escapes
	// through Scan, which would allocate them for every response.
	var (
		id, submitted                    int64
		round, respondentKey, invitation string
		layout                           sql.NullInt64
		closed                           sql.NullString
	)
	targets := []any{&id, &round, &layout, &closed, &submitted, &respondentKey, &invitation}
	if len(rounds) == 1 {
		round, targets = rounds[0], slices.Delete(targets, 1, 2)
	}
	for rows.Next() {
		if err := rows.Scan(targets...); err != nil {
			return errorf("sqlite: responses: %w", err)
		}
		r := survey.Response{SurveyID: surveyID, Round: round, RespondentKey: respondentKey, Invitation: invitation,
			Submitted: time.UnixMilli(submitted).UTC()}
		values, ok := sr.Read(layout.Int64, closed.String)
		if !layout.Valid || !closed.Valid || !ok {
			var answers string
			if err := conn.QueryRowContext(ctx, `SELECT answers FROM responses WHERE id = ?`, id).Scan(&answers); err != nil {
				return errorf("sqlite: response read whole: %w", err)
			}
			values = whole
			clear(values)
			if !pick.pick(answers, values) {
				var m map[string]string
				if err := decode(&m, answers); err != nil {
					return errorf("sqlite: responses: %w", err)
				}
				for i, k := range keys {
					if k != "" {
						values[i] = m[k]
					}
				}
			}
		}
		if err := fn(r, values); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return errorf("sqlite: responses: %w", err)
	}
	return nil
}
