package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// roundsSchema is the migration that adds the state staff set for rounds.
// Times are Unix milliseconds, 0 for "not set".
const roundsSchema = `
CREATE TABLE rounds (
	survey_id TEXT NOT NULL,
	round     TEXT NOT NULL,
	label     TEXT NOT NULL,
	added     INTEGER NOT NULL,
	open      INTEGER NOT NULL,
	practice  INTEGER NOT NULL,
	opens_at  INTEGER NOT NULL,
	closes_at INTEGER NOT NULL,
	created   INTEGER NOT NULL,
	updated   INTEGER NOT NULL,
	PRIMARY KEY (survey_id, round)
);
`

// roundRemindersSchema adds a round's reminder schedule: JSON
// ({"days":[7,14],"most":2}), or empty until staff set one.
const roundRemindersSchema = `ALTER TABLE rounds ADD COLUMN reminders TEXT NOT NULL DEFAULT '';`

// reminderSchedule is how a round's store.Reminders is kept.
type reminderSchedule struct {
	Days []int `json:"days"`
	Most int   `json:"most"`
}

func remindersText(r store.Reminders) string {
	if !r.Set {
		return ""
	}
	b, _ := json.Marshal(reminderSchedule{Days: r.Days, Most: r.Most}) // cannot fail: ints
	return string(b)
}

func remindersOf(text string) (store.Reminders, error) {
	if text == "" {
		return store.Reminders{}, nil
	}
	var r reminderSchedule
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		return store.Reminders{}, err
	}
	return store.Reminders{Set: true, Days: r.Days, Most: r.Most}, nil
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMilli(n).UTC()
}

const roundColumns = `survey_id, round, label, added, open, practice, opens_at, closes_at, reminders, created, updated`

func roundArgs(r store.RoundState) []any {
	return []any{r.SurveyID, r.Round, r.Label, r.Added, r.Open, r.Practice, millis(r.OpensAt), millis(r.ClosesAt), remindersText(r.Reminders), millis(r.Created), millis(r.Updated)}
}

// SetRoundState creates or replaces a round's state.
func (s *Store) SetRoundState(ctx context.Context, r store.RoundState) error {
	_, err := s.write.ExecContext(ctx, `INSERT OR REPLACE INTO rounds (`+roundColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, roundArgs(r)...)
	s.cache.roundsChanged()
	if err != nil {
		return errorf("sqlite: set round state %s/%s: %w", r.SurveyID, r.Round, err)
	}
	return nil
}

// AddRound stores a new round's state; one already stored is ErrConflict.
func (s *Store) AddRound(ctx context.Context, r store.RoundState) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO rounds (`+roundColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, roundArgs(r)...)
	s.cache.roundsChanged()
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE) {
		return errorf("sqlite: add round %s/%s: %w", r.SurveyID, r.Round, store.ErrConflict)
	}
	if err != nil {
		return errorf("sqlite: add round %s/%s: %w", r.SurveyID, r.Round, err)
	}
	return nil
}

// RoundStates returns the stored states of a survey's rounds (every
// survey's when surveyID is empty), oldest first. Every survey page asks,
// so the table, which is small, is kept in the cache between writes.
func (s *Store) RoundStates(ctx context.Context, surveyID string) ([]store.RoundState, error) {
	states, ok, version := s.cache.roundStates(surveyID)
	if ok {
		return states, nil
	}
	all, err := s.allRoundStates(ctx)
	if err != nil {
		return nil, err
	}
	s.cache.keepRoundStates(version, all)
	return roundsOf(all, surveyID), nil
}

// allRoundStates reads every survey's round states from the database.
func (s *Store) allRoundStates(ctx context.Context) ([]store.RoundState, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+roundColumns+` FROM rounds ORDER BY created, survey_id, round`)
	if err != nil {
		return nil, errorf("sqlite: round states: %w", err)
	}
	defer rows.Close()
	var out []store.RoundState
	for rows.Next() {
		var r store.RoundState
		var opens, closes, created, updated int64
		var reminders string
		if err := rows.Scan(&r.SurveyID, &r.Round, &r.Label, &r.Added, &r.Open, &r.Practice, &opens, &closes, &reminders, &created, &updated); err != nil {
			return nil, errorf("sqlite: round states: %w", err)
		}
		var err error
		if r.Reminders, err = remindersOf(reminders); err != nil {
			return nil, errorf("sqlite: round state %s/%s: reminders: %w", r.SurveyID, r.Round, err)
		}
		r.OpensAt, r.ClosesAt, r.Created, r.Updated = fromMillis(opens), fromMillis(closes), fromMillis(created), fromMillis(updated)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, errorf("sqlite: round states: %w", err)
	}
	return out, nil
}

// CountResponses counts a round's responses by the responses_by_round index.
func (s *Store) CountResponses(ctx context.Context, surveyID, round string) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM responses WHERE survey_id = ? AND round = ?`, surveyID, round).Scan(&n); err != nil {
		return 0, errorf("sqlite: count responses: %w", err)
	}
	return n, nil
}

// DeleteResponse deletes one response by its reference.
func (s *Store) DeleteResponse(ctx context.Context, reference string) error {
	r, err := s.Response(ctx, reference)
	if err != nil {
		return err
	}
	return s.deleteAndRecount(ctx, r.SurveyID, r.Round, `DELETE FROM responses WHERE reference = ?`, reference)
}

// DeleteResponses deletes every response to a round.
func (s *Store) DeleteResponses(ctx context.Context, surveyID, round string) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		n, err = s.deleteTx(ctx, tx, surveyID, round, `DELETE FROM responses WHERE survey_id = ? AND round = ?`, surveyID, round)
		return err
	})
	if err != nil {
		return 0, errorf("sqlite: delete responses: %w", err)
	}
	return n, nil
}

// AllResponses streams every response, oldest first.
func (s *Store) AllResponses(ctx context.Context, fn func(survey.Response) error) error {
	rows, err := s.read.QueryContext(ctx, `SELECT `+responseColumns+` FROM responses ORDER BY submitted, id`)
	if err != nil {
		return errorf("sqlite: all responses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanResponse(rows)
		if err != nil {
			return errorf("sqlite: all responses: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AllInvitations streams every invitation with whether it was used.
func (s *Store) AllInvitations(ctx context.Context, fn func(survey.Invitation, bool) error) error {
	rows, err := s.read.QueryContext(ctx, `
SELECT i.key, i.survey_id, i.round, i.organisation, i.respondent_key, i.created, u.key IS NOT NULL
FROM invitations i LEFT JOIN invitation_uses u ON u.key = i.key ORDER BY i.created, i.key`)
	if err != nil {
		return errorf("sqlite: all invitations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var inv survey.Invitation
		var created int64
		var used bool
		if err := rows.Scan(&inv.Key, &inv.SurveyID, &inv.Round, &inv.Organisation, &inv.RespondentKey, &created, &used); err != nil {
			return errorf("sqlite: all invitations: %w", err)
		}
		inv.Created = time.UnixMilli(created).UTC()
		if err := fn(inv, used); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AllAudit streams the audit log, oldest first.
func (s *Store) AllAudit(ctx context.Context, fn func(store.AuditEntry) error) error {
	rows, err := s.read.QueryContext(ctx, `SELECT at, actor, action, target FROM audit ORDER BY at, id`)
	if err != nil {
		return errorf("sqlite: all audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e store.AuditEntry
		var at int64
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.Target); err != nil {
			return errorf("sqlite: all audit: %w", err)
		}
		e.At = time.UnixMilli(at).UTC()
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SetAccountDisabled disables or enables an account.
func (s *Store) SetAccountDisabled(ctx context.Context, id string, disabled bool) error {
	return s.updateAccount(ctx, "disable account", `UPDATE accounts SET disabled = ? WHERE id = ?`, disabled, id)
}

// SetPasswordHash replaces an account's password hash.
func (s *Store) SetPasswordHash(ctx context.Context, id, hash string) error {
	return s.updateAccount(ctx, "set password", `UPDATE accounts SET password_hash = ? WHERE id = ?`, hash, id)
}

func (s *Store) updateAccount(ctx context.Context, op, query string, args ...any) error {
	res, err := s.write.ExecContext(ctx, query, args...)
	if err != nil {
		return errorf("sqlite: %s: %w", op, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errorf("sqlite: %s: %w", op, errors.Join(err, store.ErrNotFound))
	}
	return nil
}

// deleteAndRecount deletes responses of one round and recounts the
// round's tallies in the same transaction: a deletion is rare (erasure,
// retention), so the round is recounted rather than decremented, and a
// crash keeps both or neither.
func (s *Store) deleteAndRecount(ctx context.Context, surveyID, round, query string, args ...any) error {
	err := s.inTx(ctx, func(tx *txn) error {
		n, err := s.deleteTx(ctx, tx, surveyID, round, query, args...)
		if err == nil && n == 0 {
			err = store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return errorf("sqlite: delete response: %w", err)
	}
	return nil
}

func (s *Store) deleteTx(ctx context.Context, tx *txn, surveyID, round, query string, args ...any) (int, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return int(n), err
	}
	if p, ok := s.plan(surveyID); ok {
		if _, err := recountTx(ctx, tx, p, round); err != nil {
			return 0, err
		}
	}
	return int(n), nil
}
