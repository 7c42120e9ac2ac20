package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"iwtoolkit/internal/config"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/versions"
)

// recordDefinitions stores the fingerprints of each survey's version as
// served, unless the store has that version already, so that `check` can
// later warn about changes to a live survey.
func recordDefinitions(ctx context.Context, st store.Definitions, c *survey.Catalogue, now time.Time, log *slog.Logger) error {
	for _, d := range c.All() {
		isNew, err := st.SaveDefinition(ctx, store.VersionOf(d, now))
		if err != nil {
			return fmt.Errorf("serve: record survey %s version %s: %w", d.ID, d.Version, err)
		}
		if isNew {
			log.Info("recorded a new survey version", "survey", d.ID, "version", d.Version)
		}
	}
	return nil
}

// servedVersions is what check reads of a store: the versions served,
// and each survey's live version.
type servedVersions interface {
	DefinitionVersions(ctx context.Context, surveyID string) ([]store.DefinitionVersion, error)
	LiveSurveys(ctx context.Context) ([]store.SurveyPublish, error)
	SurveyVersion(ctx context.Context, surveyID, version string) (store.SurveyVersion, error)
	Close(ctx context.Context) error
}

// openExistingStore opens the configured store for check, but never
// creates one: the embedded store only when its database file exists, and
// then read-only beside the service that may be running on it (SQLite lets
// readers in beside a writer). ok is false, with the reason, when there
// is nothing to compare with.
func openExistingStore(ctx context.Context, cfg config.Config) (st servedVersions, ok bool, why string) {
	if cfg.MongoURI == "" {
		path := filepath.Join(cfg.DataDir, sqlite.FileName)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, false, "no database at " + path
		}
		served, err := sqlite.OpenServed(ctx, cfg.DataDir)
		if err != nil {
			return nil, false, fmt.Sprintf("could not read %s: %v", path, err)
		}
		return served, true, ""
	}
	st, kind, err := openStore(ctx, cfg)
	if err != nil {
		return nil, false, fmt.Sprintf("could not open the %s store: %v", kind, err)
	}
	return st, true, ""
}

// checkLive prints what changed in each survey since the versions the
// store says were served, and returns how many warnings it printed. It
// also says, as information, what the file changes in the figures reports
// work out (indicators and bands) from the survey's live version, as the
// staff pages say of a draft: compared with the live version's own text,
// so the fingerprints recorded of each version are as they were.
func checkLive(ctx context.Context, cfg config.Config, c *survey.Catalogue, say func(string)) (int, error) {
	st, ok, why := openExistingStore(ctx, cfg)
	if !ok {
		say("not compared with the versions served: " + why)
		return 0, nil
	}
	defer st.Close(ctx)
	live, err := st.LiveSurveys(ctx)
	if err != nil {
		return 0, err
	}
	liveVersion := map[string]string{}
	for _, p := range live {
		liveVersion[p.SurveyID] = p.Version
	}
	warnings := 0
	for _, d := range c.All() {
		served, err := st.DefinitionVersions(ctx, d.ID)
		if err != nil {
			return 0, err
		}
		if len(served) == 0 {
			continue
		}
		data, err := os.ReadFile(d.File)
		if err != nil {
			return 0, fmt.Errorf("check: %w", err)
		}
		notes := versions.Changes(d, data, served)
		if v, ok := liveVersion[d.ID]; ok && v != d.Version {
			stored, err := st.SurveyVersion(ctx, d.ID, v)
			if err != nil {
				return 0, err
			}
			if was, _ := versions.Parse(stored); was != nil {
				notes = append(notes, versions.Figures(was, d, data)...)
			}
		}
		for _, n := range notes {
			if n.Level == "warning" {
				warnings++
			}
			say(n.String())
		}
	}
	return warnings, nil
}
