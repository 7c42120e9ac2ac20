package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"iwtoolkit/internal/store"
)

// definitionsSchema is the migration that keeps the survey versions the
// service served, each with its fingerprints as JSON.
const definitionsSchema = `
CREATE TABLE survey_versions (
	survey_id    TEXT NOT NULL,
	version      TEXT NOT NULL,
	served       INTEGER NOT NULL,
	fingerprints TEXT NOT NULL,
	PRIMARY KEY (survey_id, version)
);
`

// SaveDefinition stores a version unless it is stored already.
func (s *Store) SaveDefinition(ctx context.Context, v store.DefinitionVersion) (bool, error) {
	fps, err := json.Marshal(v.Fingerprints)
	if err != nil {
		return false, errorf("sqlite: save definition: %w", err)
	}
	res, err := s.write.ExecContext(ctx, `INSERT INTO survey_versions (survey_id, version, served, fingerprints) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		v.SurveyID, v.Version, v.Served.UnixMilli(), string(fps))
	if err != nil {
		return false, errorf("sqlite: save definition: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, errorf("sqlite: save definition: %w", err)
	}
	return n > 0, nil
}

// DefinitionVersions returns a survey's stored versions, oldest first.
func (s *Store) DefinitionVersions(ctx context.Context, surveyID string) ([]store.DefinitionVersion, error) {
	return definitionVersions(ctx, s.read, surveyID)
}

// Served reads the survey versions a running service recorded, from its
// database file, read-only and beside it: SQLite lets readers in while
// another process writes, so `iwtoolkit check` can compare a file with
// what is live without stopping the service or taking its lock. It
// writes nothing, and creates no file.
type Served struct{ db *sql.DB }

// OpenServed opens the database file in dir for reading the versions
// served.
func OpenServed(ctx context.Context, dir string) (*Served, error) {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		return nil, errorf("sqlite: %w", err)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, errorf("sqlite: open %s read-only: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, errorf("sqlite: open %s read-only: %w", path, err)
	}
	return &Served{db}, nil
}

// DefinitionVersions returns a survey's stored versions, oldest first.
func (s *Served) DefinitionVersions(ctx context.Context, surveyID string) ([]store.DefinitionVersion, error) {
	return definitionVersions(ctx, s.db, surveyID)
}

// LiveSurveys returns the latest publish of every survey, as
// Store.LiveSurveys does.
func (s *Served) LiveSurveys(ctx context.Context) ([]store.SurveyPublish, error) {
	return publishes(ctx, s.db, liveSurveys)
}

// SurveyVersion returns one version, or ErrNotFound, as
// Store.SurveyVersion does.
func (s *Served) SurveyVersion(ctx context.Context, surveyID, version string) (store.SurveyVersion, error) {
	return surveyVersion(ctx, s.db, surveyID, version)
}

// Close closes the file.
func (s *Served) Close(context.Context) error { return s.db.Close() }

func definitionVersions(ctx context.Context, db interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, surveyID string) ([]store.DefinitionVersion, error) {
	rows, err := db.QueryContext(ctx, `SELECT version, served, fingerprints FROM survey_versions WHERE survey_id = ? ORDER BY served, version`, surveyID)
	if err != nil {
		return nil, errorf("sqlite: definition versions: %w", err)
	}
	defer rows.Close()
	var out []store.DefinitionVersion
	for rows.Next() {
		v := store.DefinitionVersion{SurveyID: surveyID}
		var served int64
		var fps string
		if err := rows.Scan(&v.Version, &served, &fps); err != nil {
			return nil, errorf("sqlite: definition versions: %w", err)
		}
		v.Served = time.UnixMilli(served).UTC()
		if err := json.Unmarshal([]byte(fps), &v.Fingerprints); err != nil {
			return nil, errorf("sqlite: definition versions: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, errorf("sqlite: definition versions: %w", err)
	}
	return out, nil
}
