// Package sqlite is the embedded store: SQLite through a pure-Go driver, in
// one file in the data folder, so that the service runs with no database
// installed. It meets the same contract as the MongoDB store.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// FileName is the database file inside the data folder.
const FileName = "iwtoolkit.db"

// Store is the embedded store. Writes go through one connection, as SQLite
// allows one writer at a time; reads use a pool and, in WAL mode, never
// wait for the writer.
type Store struct {
	write *pool
	read  *pool
	batch *batcher // drafts and responses, committed in groups: batch.go
	cache *cache   // round states and drafts, shared by the folder's stores: cache.go
	// layouts are the answer layouts known committed (summary.go).
	layouts store.LayoutSet
	tally   store.Plans  // see tally.go
	unlock  func() error // releases the data folder: see lock.go
	// checked: the start-up check of the file finished, in checkTook
	// (integrity.go).
	checked   bool
	checkTook time.Duration
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if need be) the database in dir, checks that the
// file is not damaged (integrity.go), and brings its schema up to date. It
// holds the data folder's lock until Close, so that a second process on
// the same folder is refused at once with a message that says so; a
// folder that cannot be created or written is refused before anything is
// created in it, and a damaged file with what to do about it.
func Open(ctx context.Context, dir string) (*Store, error) {
	c, unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s, err := open(ctx, dir, FileName, c)
	if err != nil {
		unlock()
		return nil, err
	}
	s.unlock = unlock
	return s, nil
}

// open opens the database file name in dir; the store's own file is
// checked first.
func open(ctx context.Context, dir, name string, c *cache) (*Store, error) {
	path := filepath.Join(dir, name)
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()

	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		write.Close()
		return nil, errorf("sqlite: open %s: %w", path, err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8) // kept open, with their prepared statements
	s := &Store{write: newPool(write), read: newPool(read), cache: c}
	s.batch = newBatcher(s.write, c)
	if name == FileName {
		err = s.check(ctx, path) // integrity.go
	}
	if err == nil {
		err = s.migrate(ctx)
	}
	c.forgetAll() // a migration may change any table
	if err != nil {
		s.Close(ctx)
		if kind, ok := fault(err); ok && !isDamage(err) {
			if diskFull(dir) {
				kind = "the disk is full"
			}
			return nil, errorf("sqlite: cannot set up the database in %s: %s: %w", dir, kind, err)
		}
		return nil, err
	}
	return s, nil
}

// migrations bring a database from one schema version to the next. Each
// runs once, in order, in a transaction with the record that it ran;
// append new ones, never edit old ones.
var migrations = []string{
	1: `
CREATE TABLE responses (
	id             INTEGER PRIMARY KEY,
	reference      TEXT NOT NULL UNIQUE,
	survey_id      TEXT NOT NULL,
	version        TEXT NOT NULL,
	round          TEXT NOT NULL,
	profile        TEXT NOT NULL,
	answers        TEXT NOT NULL,
	comments       TEXT NOT NULL,
	submitted      INTEGER NOT NULL,
	submission_key TEXT NOT NULL UNIQUE
);
CREATE INDEX responses_by_round ON responses (survey_id, round, submitted);
CREATE TABLE drafts (
	key       TEXT PRIMARY KEY,
	survey_id TEXT NOT NULL,
	round     TEXT NOT NULL,
	profile   TEXT NOT NULL,
	answers   TEXT NOT NULL,
	comments  TEXT NOT NULL,
	updated   INTEGER NOT NULL
);
CREATE INDEX drafts_by_updated ON drafts (updated);
`,
	// Survey model 2: "about you" questions are ordinary questions, and a
	// comment box is a long-text question, so every answer is in answers.
	// Responses carry their invitation and respondent key; drafts expire.
	2: `
UPDATE responses SET answers = json_patch(answers, profile);
ALTER TABLE responses DROP COLUMN profile;
ALTER TABLE responses DROP COLUMN comments;
ALTER TABLE responses ADD COLUMN respondent_key TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN invitation TEXT NOT NULL DEFAULT '';
CREATE INDEX responses_by_respondent ON responses (survey_id, respondent_key) WHERE respondent_key != '';
DROP TABLE drafts;
CREATE TABLE drafts (
	key            TEXT PRIMARY KEY,
	survey_id      TEXT NOT NULL,
	round          TEXT NOT NULL,
	answers        TEXT NOT NULL,
	updated        INTEGER NOT NULL,
	expires        INTEGER NOT NULL,
	respondent_key TEXT NOT NULL,
	invitation     TEXT NOT NULL
);
CREATE INDEX drafts_by_expiry ON drafts (expires);
`,
	// Invitations, and their uses: a use is recorded with the response in
	// one transaction, and its key is unique, so an invitation makes one
	// response at most.
	3: `
CREATE TABLE invitations (
	key            TEXT PRIMARY KEY,
	survey_id      TEXT NOT NULL,
	round          TEXT NOT NULL,
	organisation   TEXT NOT NULL,
	respondent_key TEXT NOT NULL,
	created        INTEGER NOT NULL
);
CREATE INDEX invitations_by_round ON invitations (survey_id, round, created);
CREATE TABLE invitation_uses (
	key            TEXT PRIMARY KEY,
	submission_key TEXT NOT NULL
);
`,
	4:  staffSchema,
	5:  roundsSchema,
	6:  definitionsSchema,
	7:  tallySchema,        // see tally.go
	8:  boardSchema,        // see board.go
	9:  publicationsSchema, // see publications.go
	10: contactsSchema,     // see contacts.go
	// EachResponse reads oldest first: without this index SQLite sorted
	// every response of the survey in a temporary B-tree before the first
	// one came out (about +84 MB and a long wait at 250,000). The row id
	// in every index breaks ties as ORDER BY submitted, id asks.
	11: `CREATE INDEX responses_by_time ON responses (survey_id, submitted);`,
	12: roundRemindersSchema,  // see rounds.go
	13: contactLanguageSchema, // see contacts.go
	14: targetsSchema,         // see board.go
	15: surveyVersionsSchema,  // see surveyversions.go
	16: targetsOnSchema,       // see board.go
	// Each response's closed answers, kept beside it for the readers of a
	// few answers of every response (store.SummaryOf, EachAnswers); the
	// stored responses get theirs in the same migration (backfill), and
	// the index that reads them is made by the next.
	17: summarySchema, // see summary.go
	// Their index, by round first (see summary.go).
	18: summaryIndex,
}

// migrationSteps run in a migration's transaction after its SQL.
var migrationSteps = map[int]func(context.Context, *txn) error{
	17: backfillSummaries, // see summary.go
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)`); err != nil {
		return errorf("sqlite: migrate: %w", err)
	}
	for v := 1; v < len(migrations); v++ {
		err := s.inTx(ctx, func(tx *txn) error {
			var done int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, v).Scan(&done); err != nil || done > 0 {
				return err
			}
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return err
			}
			if step := migrationSteps[v]; step != nil {
				if err := step(ctx, tx); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`, v, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return errorf("sqlite: migrate to version %d: %w", v, err)
		}
	}
	return nil
}

func (s *Store) inTx(ctx context.Context, fn func(*txn) error) error {
	tx, err := s.write.begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.end(ctx, true)
		return err
	}
	return tx.end(ctx, false)
}

// SaveDraft creates or replaces a draft, and puts it in the cache.
func (s *Store) SaveDraft(ctx context.Context, d survey.Draft) error {
	err := s.batch.do(ctx, saved(d), func(ctx context.Context, tx *txn) error {
		_, err := tx.ExecContext(ctx, `
INSERT INTO drafts (key, survey_id, round, answers, updated, expires, respondent_key, invitation)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET survey_id = excluded.survey_id, round = excluded.round,
	answers = excluded.answers, updated = excluded.updated, expires = excluded.expires,
	respondent_key = excluded.respondent_key, invitation = excluded.invitation`,
			d.Key, d.SurveyID, d.Round, encode(d.Answers), d.Updated.UnixMilli(), d.Expires.UnixMilli(), d.RespondentKey, d.Invitation)
		return err
	})
	if err != nil {
		return errorf("sqlite: save draft: %w", err)
	}
	return nil
}

// Draft returns a draft by key, from the cache if it is there: drafts are
// read on every page of the answering flow.
func (s *Store) Draft(ctx context.Context, key string) (survey.Draft, error) {
	if d, ok := s.cache.draft(key); ok {
		return d, nil
	}
	version := s.cache.draftsSeen()
	row := s.read.QueryRowContext(ctx, `SELECT survey_id, round, answers, updated, expires, respondent_key, invitation FROM drafts WHERE key = ?`, key)
	d, err := scanDraft(row, key, "draft")
	if err == nil {
		s.cache.keepRead(version, d) // a copy: the caller changes d
	}
	return d, err
}

func scanDraft(row *sql.Row, key, op string) (survey.Draft, error) {
	d := survey.Draft{Key: key}
	var answers string
	var updated, expires int64
	err := row.Scan(&d.SurveyID, &d.Round, &answers, &updated, &expires, &d.RespondentKey, &d.Invitation)
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Draft{}, errorf("sqlite: %s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return survey.Draft{}, errorf("sqlite: %s: %w", op, err)
	}
	d.Updated, d.Expires = time.UnixMilli(updated).UTC(), time.UnixMilli(expires).UTC()
	if err := decode(&d.Answers, answers); err != nil {
		return survey.Draft{}, errorf("sqlite: %s: %w", op, err)
	}
	return d, nil
}

// DeleteExpiredDrafts deletes the drafts that expired before t.
func (s *Store) DeleteExpiredDrafts(ctx context.Context, t time.Time) (int, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM drafts WHERE expires < ?`, t.UnixMilli())
	s.cache.forgetExpired(t)
	if err != nil {
		return 0, errorf("sqlite: delete expired drafts: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Submit stores a response, queues its mail and deletes its draft in
// one transaction.
func (s *Store) Submit(ctx context.Context, r survey.Response, queue ...store.MailMessage) (survey.Response, error) {
	var stored bool
	sum := summaryOf(r.Answers) // summary.go
	err := s.batch.do(ctx, &draftChange{key: r.SubmissionKey}, func(ctx context.Context, tx *txn) error {
		res, err := tx.ExecContext(ctx, `
INSERT INTO responses (reference, survey_id, version, round, answers, submitted, submission_key, respondent_key, invitation, layout, closed)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (submission_key) DO NOTHING`,
			r.Reference, r.SurveyID, r.Version, r.Round, encode(r.Answers),
			r.Submitted.UnixMilli(), r.SubmissionKey, r.RespondentKey, r.Invitation, sum.layoutArg(), sum.closedArg())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		stored = n == 1
		if stored && !s.layouts.Has(sum.id) {
			if err := sum.keepLayout(ctx, tx); err != nil {
				return err
			}
		}
		if stored {
			for _, m := range queue {
				if _, err := insertMail(ctx, tx, m); err != nil { // contacts.go
					return err
				}
			}
			store.Stored(ctx) // in the transaction: stored once it commits
		}
		if stored && r.Invitation != "" {
			if err := useInvitation(ctx, tx, r); err != nil {
				return err
			}
		}
		if id, err := res.LastInsertId(); stored && err == nil {
			if err := s.tallyNew(ctx, tx, id, r); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM drafts WHERE key = ?`, r.SubmissionKey)
		return err
	})
	var se *sqlite.Error
	if errors.Is(err, store.ErrInvitationUsed) {
		return survey.Response{}, errorf("sqlite: submit: %w", err)
	}
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return survey.Response{}, errorf("sqlite: submit: reference %s: %w", r.Reference, store.ErrConflict)
	}
	if err != nil {
		return survey.Response{}, errorf("sqlite: submit: %w", err)
	}
	if stored {
		s.layouts.Add(sum.id) // committed: later sends with it need not store it
		r.Submitted = time.UnixMilli(r.Submitted.UnixMilli()).UTC()
		return r, nil
	}
	return s.SubmittedResponse(ctx, r.SubmissionKey)
}

// Response returns a response by its reference.
func (s *Store) Response(ctx context.Context, reference string) (survey.Response, error) {
	r, err := s.one(ctx, `reference = ?`, reference)
	if err != nil {
		return survey.Response{}, errorf("sqlite: response %s: %w", reference, err)
	}
	return r, nil
}

// SubmittedResponse returns the response stored from a draft.
func (s *Store) SubmittedResponse(ctx context.Context, submissionKey string) (survey.Response, error) {
	r, err := s.one(ctx, `submission_key = ?`, submissionKey)
	if err != nil {
		return survey.Response{}, errorf("sqlite: submitted response: %w", err)
	}
	return r, nil
}

const responseColumns = `reference, survey_id, version, round, answers, submitted, submission_key, respondent_key, invitation`

func (s *Store) one(ctx context.Context, where string, arg any) (survey.Response, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+responseColumns+` FROM responses WHERE `+where, arg)
	if err != nil {
		return survey.Response{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return survey.Response{}, err
		}
		return survey.Response{}, store.ErrNotFound
	}
	return scanResponse(rows)
}

// EachResponse streams responses, oldest first.
func (s *Store) EachResponse(ctx context.Context, surveyID string, rounds []string, fn func(survey.Response) error) error {
	query, args := responsesIn(responseColumns, surveyID, rounds)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return errorf("sqlite: responses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanResponse(rows)
		if err != nil {
			return errorf("sqlite: responses: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return errorf("sqlite: responses: %w", err)
	}
	return nil
}

// responsesIn is the query of columns of a survey's responses in some
// rounds (all when none), oldest first, and its arguments.
func responsesIn(columns, surveyID string, rounds []string) (string, []any) {
	query := `SELECT ` + columns + ` FROM responses WHERE survey_id = ?`
	args := []any{surveyID}
	if len(rounds) > 0 {
		query += ` AND round IN (?` + strings.Repeat(`, ?`, len(rounds)-1) + `)`
		for _, r := range rounds {
			args = append(args, r)
		}
	}
	return query + ` ORDER BY submitted, id`, args
}

func scanResponse(rows *sql.Rows) (survey.Response, error) {
	var r survey.Response
	var answers string
	var submitted int64
	if err := rows.Scan(&r.Reference, &r.SurveyID, &r.Version, &r.Round, &answers, &submitted, &r.SubmissionKey, &r.RespondentKey, &r.Invitation); err != nil {
		return survey.Response{}, err
	}
	r.Submitted = time.UnixMilli(submitted).UTC()
	return r, decode(&r.Answers, answers)
}

// Ping checks that the database file can be read.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return errorf("sqlite: ping: %w", err)
	}
	return nil
}

// Close closes the database and then releases the data folder.
func (s *Store) Close(context.Context) error {
	s.batch.close()
	err := errors.Join(s.read.Close(), s.write.Close())
	if s.unlock != nil {
		err = errors.Join(err, s.unlock())
	}
	return err
}

func encode(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m) // a map of strings always marshals
	return string(b)
}

func decode(m *map[string]string, text string) error {
	if flat, ok := decodeFlat(text); ok { // answers.go
		*m = flat
		return nil
	}
	if err := json.Unmarshal([]byte(text), m); err != nil {
		return fmt.Errorf("decode stored answers: %w", err)
	}
	return nil
}
