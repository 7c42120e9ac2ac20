package sqlite

import (
	"context"
	"errors"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"iwtoolkit/internal/store"
)

// boardSchema is the migration that adds the Board pack: commentary per
// (survey, round, strand), and actions with their history. Times are Unix
// milliseconds, 0 for "not set".
const boardSchema = `
CREATE TABLE board_commentary (
	survey_id TEXT NOT NULL,
	round     TEXT NOT NULL,
	strand    TEXT NOT NULL,
	know      TEXT NOT NULL,
	how       TEXT NOT NULL,
	next      TEXT NOT NULL,
	updated   INTEGER NOT NULL,
	PRIMARY KEY (survey_id, round, strand)
);
CREATE TABLE board_actions (
	id        TEXT PRIMARY KEY,
	survey_id TEXT NOT NULL,
	strand    TEXT NOT NULL,
	text      TEXT NOT NULL,
	owner     TEXT NOT NULL,
	due       INTEGER NOT NULL,
	status    TEXT NOT NULL,
	round     TEXT NOT NULL,
	created   INTEGER NOT NULL,
	updated   INTEGER NOT NULL
);
CREATE INDEX board_actions_by_survey ON board_actions (survey_id, created);
CREATE TABLE board_action_changes (
	id        INTEGER PRIMARY KEY,
	action_id TEXT NOT NULL REFERENCES board_actions (id),
	at        INTEGER NOT NULL,
	round     TEXT NOT NULL,
	status    TEXT NOT NULL,
	owner     TEXT NOT NULL,
	due       INTEGER NOT NULL,
	note      TEXT NOT NULL
);
CREATE INDEX board_action_changes_by_action ON board_action_changes (action_id, id);
`

// SetCommentary creates or replaces the commentary on a strand in a round.
func (s *Store) SetCommentary(ctx context.Context, c store.Commentary) error {
	_, err := s.write.ExecContext(ctx, `
INSERT OR REPLACE INTO board_commentary (survey_id, round, strand, know, how, next, updated)
VALUES (?, ?, ?, ?, ?, ?, ?)`, c.SurveyID, c.Round, c.Strand, c.Know, c.How, c.Next, millis(c.Updated))
	if err != nil {
		return errorf("sqlite: set commentary %s/%s/%s: %w", c.SurveyID, c.Round, c.Strand, err)
	}
	return nil
}

// Commentary returns the commentary on a strand in a round.
func (s *Store) Commentary(ctx context.Context, surveyID, round, strand string) (store.Commentary, error) {
	all, err := s.commentaries(ctx, `survey_id = ? AND round = ? AND strand = ?`, surveyID, round, strand)
	if err != nil {
		return store.Commentary{}, err
	}
	if len(all) == 0 {
		return store.Commentary{}, errorf("sqlite: commentary %s/%s/%s: %w", surveyID, round, strand, store.ErrNotFound)
	}
	return all[0], nil
}

// Commentaries returns the commentary on every strand of a round.
func (s *Store) Commentaries(ctx context.Context, surveyID, round string) ([]store.Commentary, error) {
	return s.commentaries(ctx, `survey_id = ? AND round = ?`, surveyID, round)
}

func (s *Store) commentaries(ctx context.Context, where string, args ...any) ([]store.Commentary, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT survey_id, round, strand, know, how, next, updated FROM board_commentary WHERE `+where+` ORDER BY strand`, args...)
	if err != nil {
		return nil, errorf("sqlite: commentary: %w", err)
	}
	defer rows.Close()
	var out []store.Commentary
	for rows.Next() {
		var c store.Commentary
		var updated int64
		if err := rows.Scan(&c.SurveyID, &c.Round, &c.Strand, &c.Know, &c.How, &c.Next, &updated); err != nil {
			return nil, errorf("sqlite: commentary: %w", err)
		}
		c.Updated = fromMillis(updated)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, errorf("sqlite: commentary: %w", err)
	}
	return out, nil
}

// AddAction stores a new action and the first entry of its history in one
// transaction.
func (s *Store) AddAction(ctx context.Context, a store.Action) error {
	err := s.inTx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `
INSERT INTO board_actions (id, survey_id, strand, text, owner, due, status, round, created, updated)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.SurveyID, a.Strand, a.Text, a.Owner, millis(a.Due), string(a.Status), a.Round, millis(a.Created), millis(a.Updated)); err != nil {
			return err
		}
		return addChange(ctx, tx, a.ID, store.ActionChange{At: a.Created, Round: a.Round, Status: a.Status, Owner: a.Owner, Due: a.Due})
	})
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE) {
		return errorf("sqlite: add action %s: %w", a.ID, store.ErrConflict)
	}
	if err != nil {
		return errorf("sqlite: add action %s: %w", a.ID, err)
	}
	return nil
}

func addChange(ctx context.Context, tx *txn, id string, ch store.ActionChange) error {
	_, err := tx.ExecContext(ctx, `
INSERT INTO board_action_changes (action_id, at, round, status, owner, due, note) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, millis(ch.At), ch.Round, string(ch.Status), ch.Owner, millis(ch.Due), ch.Note)
	return err
}

// UpdateAction changes an action and records the change in one transaction.
func (s *Store) UpdateAction(ctx context.Context, id string, ch store.ActionChange) (store.Action, error) {
	err := s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE board_actions SET status = ?, owner = ?, due = ?, updated = ? WHERE id = ?`,
			string(ch.Status), ch.Owner, millis(ch.Due), millis(ch.At), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, store.ErrNotFound)
		}
		return addChange(ctx, tx, id, ch)
	})
	if err != nil {
		return store.Action{}, errorf("sqlite: update action %s: %w", id, err)
	}
	return s.Action(ctx, id)
}

// Action returns one action with its history.
func (s *Store) Action(ctx context.Context, id string) (store.Action, error) {
	all, err := s.actions(ctx, `id = ?`, id)
	if err != nil {
		return store.Action{}, err
	}
	if len(all) == 0 {
		return store.Action{}, errorf("sqlite: action %s: %w", id, store.ErrNotFound)
	}
	return all[0], nil
}

// Actions returns a survey's actions with their histories, oldest first.
func (s *Store) Actions(ctx context.Context, surveyID string) ([]store.Action, error) {
	return s.actions(ctx, `survey_id = ?`, surveyID)
}

func (s *Store) actions(ctx context.Context, where string, arg any) ([]store.Action, error) {
	rows, err := s.read.QueryContext(ctx, `
SELECT id, survey_id, strand, text, owner, due, status, round, created, updated
FROM board_actions WHERE `+where+` ORDER BY created, id`, arg)
	if err != nil {
		return nil, errorf("sqlite: actions: %w", err)
	}
	var out []store.Action
	byID := map[string]int{}
	for rows.Next() {
		var a store.Action
		var due, created, updated int64
		var status string
		if err := rows.Scan(&a.ID, &a.SurveyID, &a.Strand, &a.Text, &a.Owner, &due, &status, &a.Round, &created, &updated); err != nil {
			rows.Close()
			return nil, errorf("sqlite: actions: %w", err)
		}
		a.Status, a.Due, a.Created, a.Updated = store.ActionStatus(status), fromMillis(due), fromMillis(created), fromMillis(updated)
		byID[a.ID] = len(out)
		out = append(out, a)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, errorf("sqlite: actions: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	changes, err := s.read.QueryContext(ctx, `
SELECT c.action_id, c.at, c.round, c.status, c.owner, c.due, c.note
FROM board_action_changes c JOIN board_actions a ON a.id = c.action_id
WHERE a.`+where+` ORDER BY c.id`, arg)
	if err != nil {
		return nil, errorf("sqlite: action history: %w", err)
	}
	defer changes.Close()
	for changes.Next() {
		var id, status string
		var ch store.ActionChange
		var at, due int64
		if err := changes.Scan(&id, &at, &ch.Round, &status, &ch.Owner, &due, &ch.Note); err != nil {
			return nil, errorf("sqlite: action history: %w", err)
		}
		ch.At, ch.Status, ch.Due = fromMillis(at), store.ActionStatus(status), fromMillis(due)
		if i, ok := byID[id]; ok {
			out[i].History = append(out[i].History, ch)
		}
	}
	if err := changes.Err(); err != nil {
		return nil, errorf("sqlite: action history: %w", err)
	}
	return out, nil
}

// targetsSchema is the migration that adds the Board pack's targets: one
// per (survey, strand), the value a real number, the date Unix
// milliseconds.
const targetsSchema = `
CREATE TABLE board_targets (
	survey_id TEXT NOT NULL,
	strand    TEXT NOT NULL,
	kind      TEXT NOT NULL,
	value     REAL NOT NULL,
	by_date   INTEGER NOT NULL,
	round     TEXT NOT NULL,
	updated   INTEGER NOT NULL,
	PRIMARY KEY (survey_id, strand)
);
`

// targetsOnSchema is the migration that lets a target be on a closed
// question or an indicator as well as a strand: the key becomes
// (survey, on, subject). Targets stored before it are on strands: their
// "on" is empty (store.OnStrand) and their subject the strand's id.
const targetsOnSchema = `
CREATE TABLE board_targets_on (
	survey_id TEXT NOT NULL,
	on_kind   TEXT NOT NULL DEFAULT '',
	subject   TEXT NOT NULL,
	option    TEXT NOT NULL DEFAULT '',
	kind      TEXT NOT NULL,
	value     REAL NOT NULL,
	by_date   INTEGER NOT NULL,
	round     TEXT NOT NULL,
	updated   INTEGER NOT NULL,
	PRIMARY KEY (survey_id, on_kind, subject)
);
INSERT INTO board_targets_on (survey_id, on_kind, subject, kind, value, by_date, round, updated)
	SELECT survey_id, '', strand, kind, value, by_date, round, updated FROM board_targets;
DROP TABLE board_targets;
ALTER TABLE board_targets_on RENAME TO board_targets;
`

// SetTarget creates or replaces the target on a strand, question or
// indicator.
func (s *Store) SetTarget(ctx context.Context, t store.Target) error {
	_, err := s.write.ExecContext(ctx, `
INSERT OR REPLACE INTO board_targets (survey_id, on_kind, subject, option, kind, value, by_date, round, updated)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.SurveyID, string(t.On), t.Subject, t.Option, string(t.Kind), t.Value, millis(t.By), t.Round, millis(t.Updated))
	if err != nil {
		return errorf("sqlite: set target %s/%s%s: %w", t.SurveyID, t.On, t.Subject, err)
	}
	return nil
}

// Targets returns every target on a survey: strands first, then by
// what they are on and their subject.
func (s *Store) Targets(ctx context.Context, surveyID string) ([]store.Target, error) {
	rows, err := s.read.QueryContext(ctx, `
SELECT on_kind, subject, option, kind, value, by_date, round, updated FROM board_targets WHERE survey_id = ? ORDER BY on_kind, subject`, surveyID)
	if err != nil {
		return nil, errorf("sqlite: targets %s: %w", surveyID, err)
	}
	defer rows.Close()
	var out []store.Target
	for rows.Next() {
		t := store.Target{SurveyID: surveyID}
		var on, kind string
		var by, updated int64
		if err := rows.Scan(&on, &t.Subject, &t.Option, &kind, &t.Value, &by, &t.Round, &updated); err != nil {
			return nil, errorf("sqlite: targets %s: %w", surveyID, err)
		}
		t.On, t.Kind, t.By, t.Updated = store.TargetOn(on), store.TargetKind(kind), fromMillis(by), fromMillis(updated)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, errorf("sqlite: targets %s: %w", surveyID, err)
	}
	return out, nil
}
