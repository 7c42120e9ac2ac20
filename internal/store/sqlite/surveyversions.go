package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"iwtoolkit/internal/store"
)

// surveyVersionsSchema is migration 15: the versions of survey files, and
// their publishes. The live version of a survey is its latest publish.
const surveyVersionsSchema = `
CREATE TABLE survey_texts (
	survey_id TEXT NOT NULL,
	version   TEXT NOT NULL,
	text      TEXT NOT NULL,
	made_by   TEXT NOT NULL,
	made      INTEGER NOT NULL,
	PRIMARY KEY (survey_id, version)
);
CREATE TABLE survey_publishes (
	survey_id    TEXT NOT NULL,
	n            INTEGER NOT NULL,
	version      TEXT NOT NULL,
	published_by TEXT NOT NULL,
	at           INTEGER NOT NULL,
	reason       TEXT NOT NULL,
	acknowledged INTEGER NOT NULL,
	PRIMARY KEY (survey_id, n)
);
`

// versionReader reads survey versions: the store's pool, or a database
// file opened read-only (Served).
type versionReader interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// SaveSurveyVersion stores a version unless one is stored already.
func (s *Store) SaveSurveyVersion(ctx context.Context, v store.SurveyVersion) (store.SurveyVersion, bool, error) {
	v.Made = fromMillis(millis(v.Made))
	res, err := s.write.ExecContext(ctx, `INSERT INTO survey_texts (survey_id, version, text, made_by, made) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		v.SurveyID, v.Version, v.Text, v.MadeBy, millis(v.Made))
	if err != nil {
		return store.SurveyVersion{}, false, errorf("sqlite: save survey version: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return store.SurveyVersion{}, false, errorf("sqlite: save survey version: %w", err)
	}
	if n > 0 {
		return v, true, nil
	}
	stored, err := s.SurveyVersion(ctx, v.SurveyID, v.Version)
	return stored, false, err
}

// SurveyVersion returns one version, or ErrNotFound.
func (s *Store) SurveyVersion(ctx context.Context, surveyID, version string) (store.SurveyVersion, error) {
	return surveyVersion(ctx, s.read, surveyID, version)
}

// surveyVersion reads one version from db: the store's, or a database
// file opened read-only (Served).
func surveyVersion(ctx context.Context, db versionReader, surveyID, version string) (store.SurveyVersion, error) {
	v := store.SurveyVersion{SurveyID: surveyID, Version: version}
	var made int64
	err := db.QueryRowContext(ctx, `SELECT text, made_by, made FROM survey_texts WHERE survey_id = ? AND version = ?`, surveyID, version).
		Scan(&v.Text, &v.MadeBy, &made)
	if errors.Is(err, sql.ErrNoRows) {
		return store.SurveyVersion{}, errorf("sqlite: survey version %s/%s: %w", surveyID, version, store.ErrNotFound)
	}
	if err != nil {
		return store.SurveyVersion{}, errorf("sqlite: survey version %s/%s: %w", surveyID, version, err)
	}
	v.Made = fromMillis(made)
	return v, nil
}

// SurveyVersionsOf returns a survey's versions, oldest first.
func (s *Store) SurveyVersionsOf(ctx context.Context, surveyID string) ([]store.SurveyVersion, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT version, text, made_by, made FROM survey_texts WHERE survey_id = ? ORDER BY made, version`, surveyID)
	if err != nil {
		return nil, errorf("sqlite: survey versions: %w", err)
	}
	defer rows.Close()
	var out []store.SurveyVersion
	for rows.Next() {
		v := store.SurveyVersion{SurveyID: surveyID}
		var made int64
		if err := rows.Scan(&v.Version, &v.Text, &v.MadeBy, &made); err != nil {
			return nil, errorf("sqlite: survey versions: %w", err)
		}
		v.Made = fromMillis(made)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, errorf("sqlite: survey versions: %w", err)
	}
	return out, nil
}

// PublishSurvey makes a stored version live, in one transaction with
// reading the latest publish.
func (s *Store) PublishSurvey(ctx context.Context, p store.SurveyPublish) error {
	err := s.inTx(ctx, func(tx *txn) error {
		var have int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM survey_texts WHERE survey_id = ? AND version = ?`, p.SurveyID, p.Version).Scan(&have); err != nil {
			return err
		}
		if have == 0 {
			return store.ErrNotFound
		}
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(n), 0) FROM survey_publishes WHERE survey_id = ?`, p.SurveyID).Scan(&last); err != nil {
			return err
		}
		if p.N != last+1 {
			return store.ErrConflict
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO survey_publishes (survey_id, n, version, published_by, at, reason, acknowledged) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			p.SurveyID, p.N, p.Version, p.By, millis(p.At), p.Reason, p.Acknowledged)
		return err
	})
	if err != nil {
		return errorf("sqlite: publish survey %s version %s: %w", p.SurveyID, p.Version, err)
	}
	return nil
}

const publishColumns = `survey_id, n, version, published_by, at, reason, acknowledged`

func (s *Store) publishes(ctx context.Context, query string, args ...any) ([]store.SurveyPublish, error) {
	return publishes(ctx, s.read, query, args...)
}

// publishes reads publishes from db: the store's, or a database file
// opened read-only (Served).
func publishes(ctx context.Context, db versionReader, query string, args ...any) ([]store.SurveyPublish, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errorf("sqlite: survey publishes: %w", err)
	}
	defer rows.Close()
	var out []store.SurveyPublish
	for rows.Next() {
		var p store.SurveyPublish
		var at int64
		if err := rows.Scan(&p.SurveyID, &p.N, &p.Version, &p.By, &at, &p.Reason, &p.Acknowledged); err != nil {
			return nil, errorf("sqlite: survey publishes: %w", err)
		}
		p.At = fromMillis(at)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, errorf("sqlite: survey publishes: %w", err)
	}
	return out, nil
}

// SurveyPublishes returns a survey's publishes, oldest first.
func (s *Store) SurveyPublishes(ctx context.Context, surveyID string) ([]store.SurveyPublish, error) {
	return s.publishes(ctx, `SELECT `+publishColumns+` FROM survey_publishes WHERE survey_id = ? ORDER BY n`, surveyID)
}

// LiveSurveys returns the latest publish of every survey.
func (s *Store) LiveSurveys(ctx context.Context) ([]store.SurveyPublish, error) {
	return s.publishes(ctx, liveSurveys)
}

const liveSurveys = `SELECT ` + publishColumns + ` FROM survey_publishes p
WHERE n = (SELECT max(n) FROM survey_publishes q WHERE q.survey_id = p.survey_id) ORDER BY survey_id`

// SurveyPublishCount is how many publishes there have been.
func (s *Store) SurveyPublishCount(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM survey_publishes`).Scan(&n); err != nil {
		return 0, errorf("sqlite: survey publish count: %w", err)
	}
	return n, nil
}

// SurveysWithVersions returns the ids of every survey with a version.
func (s *Store) SurveysWithVersions(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT survey_id FROM survey_texts ORDER BY survey_id`)
	if err != nil {
		return nil, errorf("sqlite: surveys with versions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, errorf("sqlite: surveys with versions: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, errorf("sqlite: surveys with versions: %w", err)
	}
	return out, nil
}
