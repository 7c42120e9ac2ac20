package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"iwtoolkit/internal/config"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
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

// servedVersions is what check reads of a store: the versions served.
type servedVersions interface {
	DefinitionVersions(ctx context.Context, surveyID string) ([]store.DefinitionVersion, error)
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

// note is one thing check says about a change to a live survey.
type note struct {
	File  string
	Line  int
	Level string // "warning" or "info"
	Text  string
}

func (n note) String() string {
	if n.Line == 0 {
		return fmt.Sprintf("%s: %s: %s", n.File, n.Level, n.Text)
	}
	return fmt.Sprintf("%s:%d: %s: %s", n.File, n.Line, n.Level, n.Text)
}

// minOverlap is the share of words two texts of one id must have in
// common not to be reported as a reused id.
const minOverlap = 0.5

// liveChanges compares a survey file with the versions of it that were
// served (versions, oldest first). Each answer key is compared with the
// latest served version that had it: a changed type, a changed scale
// (levels' values or labels), changed options' values, and a text that
// shares few words with the old one are warnings; a key no longer in the
// file is information, since old responses keep its answers.
func liveChanges(d *survey.Definition, data []byte, versions []store.DefinitionVersion) []note {
	type served struct {
		fp      store.Fingerprint
		version string
	}
	latest := map[string]served{}
	var order []string
	for _, v := range versions {
		for _, fp := range v.Fingerprints {
			if _, seen := latest[fp.Key]; !seen {
				order = append(order, fp.Key)
			}
			latest[fp.Key] = served{fp, v.Version}
		}
	}
	lines := strings.Split(string(data), "\n")
	var notes []note
	warn := func(key, format string, args ...any) {
		notes = append(notes, note{d.File, lineOfID(lines, key), "warning", fmt.Sprintf(format, args...)})
	}
	current := map[string]bool{}
	// A changed scale is one change however many statements are rated on
	// it: one warning, at the first of them, saying how many.
	type scaleChange struct{ scale, was, now, version string }
	scaleKeys := map[scaleChange][]string{}
	var scaleOrder []scaleChange
	for _, fp := range store.VersionOf(d, time.Time{}).Fingerprints {
		current[fp.Key] = true
		old, ok := latest[fp.Key]
		if !ok {
			continue
		}
		was := old.fp
		switch {
		case was.Type != fp.Type:
			warn(fp.Key, "%q was a %s question in version %s and is a %s question now: its old and new answers cannot be compared; give the new question a new id", fp.Key, was.Type, old.version, fp.Type)
			continue
		case isRated(fp.Type) && !slices.Equal(was.Answers, fp.Answers):
			ch := scaleChange{fp.Scale, strings.Join(was.Answers, ", "), strings.Join(fp.Answers, ", "), old.version}
			if scaleKeys[ch] == nil {
				scaleOrder = append(scaleOrder, ch)
			}
			scaleKeys[ch] = append(scaleKeys[ch], fp.Key)
		case !isRated(fp.Type) && !slices.Equal(values(was.Answers), values(fp.Answers)):
			warn(fp.Key, "%q offers changed answers (values were %s in version %s, now %s): counts before and after the change cannot be compared", fp.Key, strings.Join(values(was.Answers), ", "), old.version, strings.Join(values(fp.Answers), ", "))
		}
		if o := wordOverlap(was.Text, fp.Text); o < minOverlap {
			warn(fp.Key, "the text of %q shares only %.0f%% of its words with version %s (%q, now %q): if the id is reused for a different question, give it a new id (a simple word-overlap measure: check by reading)", fp.Key, 100*o, old.version, was.Text, fp.Text)
		}
	}
	for _, ch := range scaleOrder {
		keys := scaleKeys[ch]
		what := fmt.Sprintf("%q is", keys[0])
		if len(keys) > 1 {
			what = fmt.Sprintf("%d questions and statements (%q to %q) are", len(keys), keys[0], keys[len(keys)-1])
		}
		warn(keys[0], "%s rated on a changed scale %q (levels were %s in version %s, now %s): ratings before and after the change cannot be compared", what, ch.scale, ch.was, ch.version, ch.now)
	}
	sort.SliceStable(notes, func(i, j int) bool { return notes[i].Line < notes[j].Line })
	for _, key := range order {
		if !current[key] {
			notes = append(notes, note{d.File, 0, "info", fmt.Sprintf("%q (last in version %s) is no longer in the file: it is kept in old responses", key, latest[key].version)})
		}
	}
	return notes
}

func isRated(questionType string) bool {
	return questionType == survey.TypeScale || questionType == survey.TypeGrid
}

// values are the values of "value=label" answers.
func values(answers []string) []string {
	out := make([]string, len(answers))
	for i, a := range answers {
		out[i], _, _ = strings.Cut(a, "=")
	}
	return out
}

// wordOverlap is the share of distinct words (in lower case) that two
// texts have in common: the size of the intersection over the union.
// It is a rough measure of a reworded question, not of meaning.
func wordOverlap(a, b string) float64 {
	words := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			m[w] = true
		}
		return m
	}
	wa, wb := words(a), words(b)
	if len(wa) == 0 && len(wb) == 0 {
		return 1
	}
	both := 0
	for w := range wa {
		if wb[w] {
			both++
		}
	}
	return float64(both) / float64(len(wa)+len(wb)-both)
}

// lineOfID is the line (from 1) of the file where the id is given, or 0.
func lineOfID(lines []string, id string) int {
	re := regexp.MustCompile(`(^|[\s{,-])id:\s*["']?` + regexp.QuoteMeta(id) + `["']?\s*([,}#]|$)`)
	for i, l := range lines {
		if re.MatchString(l) {
			return i + 1
		}
	}
	return 0
}

// checkLive prints what changed in each survey since the versions the
// store says were served, and returns how many warnings it printed.
func checkLive(ctx context.Context, cfg config.Config, c *survey.Catalogue, say func(string)) (int, error) {
	st, ok, why := openExistingStore(ctx, cfg)
	if !ok {
		say("not compared with the versions served: " + why)
		return 0, nil
	}
	defer st.Close(ctx)
	warnings := 0
	for _, d := range c.All() {
		versions, err := st.DefinitionVersions(ctx, d.ID)
		if err != nil {
			return 0, err
		}
		if len(versions) == 0 {
			continue
		}
		data, err := os.ReadFile(d.File)
		if err != nil {
			return 0, fmt.Errorf("check: %w", err)
		}
		for _, n := range liveChanges(d, data, versions) {
			if n.Level == "warning" {
				warnings++
			}
			say(n.String())
		}
	}
	return warnings, nil
}
