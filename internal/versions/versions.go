// Package versions keeps the surveys an instance serves in step with the
// versions in the store: survey files are imported at start, a version
// published on the staff pages of any instance is loaded by every
// instance's poll, and the catalogue (survey.Catalogue) is swapped in
// memory, so that respondents' pages and reports never read a definition
// from the store.
package versions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"sync"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// FromFile is who made and published a version imported from a file in
// IWT_SURVEYS_DIR.
const FromFile = "survey file"

// DefaultPoll is how often an instance asks the store whether a version
// was published (IWT_SURVEY_POLL).
const DefaultPoll = 10 * time.Second

// Store is what versions needs of the store.
type Store interface {
	store.SurveyVersions
	store.Definitions
	PlanTallies(plans ...store.TallyPlan)
}

// Live keeps a catalogue in step with the store's live versions.
type Live struct {
	st      Store
	surveys *survey.Catalogue
	log     *slog.Logger
	now     func() time.Time

	mu   sync.Mutex // one load at a time
	seen int64      // the publish count at the last load
	live map[string]string
}

// New keeps surveys in step with st.
func New(st Store, surveys *survey.Catalogue, log *slog.Logger, now func() time.Time) *Live {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Live{st: st, surveys: surveys, log: log, now: now, seen: -1, live: map[string]string{}}
}

// Surveys is the catalogue kept in step.
func (l *Live) Surveys() *survey.Catalogue { return l.surveys }

// Parse reads a stored version as the survey file it is. The definition
// has no File: it is kept in the store, not in IWT_SURVEYS_DIR.
func Parse(v store.SurveyVersion) (*survey.Definition, survey.Problems) {
	d, ps := survey.Parse(v.SurveyID+".yaml", []byte(v.Text))
	if d != nil {
		for _, lang := range d.Languages {
			d.In(lang).File = ""
		}
	}
	return d, ps
}

// Import makes each survey file in the catalogue (loaded from
// IWT_SURVEYS_DIR) the live version of its survey when its content
// changed since it was last imported, or when the store has no version of
// the survey: a file left as it was does not take back a version
// published on the staff pages since. Files refused for their problems
// are not imported: the store's live version, if any, keeps serving.
func (l *Live) Import(ctx context.Context) error {
	for _, d := range l.surveys.All() {
		if d.File == "" {
			continue // from the store
		}
		data, err := os.ReadFile(d.File)
		if err != nil {
			return fmt.Errorf("import survey file %s: %w", d.File, err)
		}
		if f, _ := survey.Parse(d.File, data); f == nil || f.Version != d.Version {
			continue // changed since it was loaded: the next start imports it
		}
		if err := l.importFile(ctx, d, data); err != nil {
			return err
		}
	}
	return nil
}

func (l *Live) importFile(ctx context.Context, d *survey.Definition, data []byte) error {
	v := store.SurveyVersion{SurveyID: d.ID, Version: d.Version, Text: string(data), MadeBy: FromFile, Made: l.now()}
	if _, _, err := l.st.SaveSurveyVersion(ctx, v); err != nil {
		return fmt.Errorf("import survey file %s: %w", d.File, err)
	}
	for range 5 { // another instance starting may publish first
		pubs, err := l.st.SurveyPublishes(ctx, d.ID)
		if err != nil {
			return fmt.Errorf("import survey file %s: %w", d.File, err)
		}
		last := ""
		for _, p := range pubs {
			if p.By == FromFile {
				last = p.Version
			}
		}
		if len(pubs) > 0 && last == d.Version {
			return nil // as last imported
		}
		reason := "imported from " + path.Base(d.File) + " at start"
		if last != "" {
			reason = path.Base(d.File) + " changed since it was last imported"
		}
		err = l.st.PublishSurvey(ctx, store.SurveyPublish{SurveyID: d.ID, Version: d.Version, N: len(pubs) + 1, By: FromFile, At: l.now(), Reason: reason})
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("import survey file %s: %w", d.File, err)
		}
		l.log.Info("survey file imported as the live version", "survey", d.ID, "version", d.Version)
		return nil
	}
	return fmt.Errorf("import survey file %s: other instances kept publishing: %w", d.File, store.ErrConflict)
}

// Refresh loads the live versions when a publish happened since the last
// load (on any instance): a cheap count when none did.
func (l *Live) Refresh(ctx context.Context) error {
	n, err := l.st.SurveyPublishCount(ctx)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if n == l.seen {
		return nil
	}
	if err := l.load(ctx); err != nil {
		return err
	}
	l.seen = n // counted before the load: a publish during it is loaded next time
	return nil
}

// load serves each survey's live version where it is not served already.
func (l *Live) load(ctx context.Context) error {
	live, err := l.st.LiveSurveys(ctx)
	if err != nil {
		return err
	}
	for _, p := range live {
		if l.live[p.SurveyID] == p.Version {
			continue
		}
		if d, ok := l.surveys.Survey(p.SurveyID); ok && d.Version == p.Version {
			l.live[p.SurveyID] = p.Version
			continue
		}
		v, err := l.st.SurveyVersion(ctx, p.SurveyID, p.Version)
		if err != nil {
			return err
		}
		d, ps := Parse(v)
		if d == nil {
			// Checked when it was published; rules changed since. The
			// version served before keeps serving.
			l.log.Error("the live version of a survey has problems and is not served", "survey", p.SurveyID, "version", p.Version, "problems", ps.Error())
			l.live[p.SurveyID] = p.Version
			continue
		}
		if _, err := l.st.SaveDefinition(ctx, store.VersionOf(d, l.now())); err != nil {
			return err
		}
		l.st.PlanTallies(store.PlanFor(d))
		l.surveys.Put(d)
		l.live[p.SurveyID] = p.Version
		l.log.Info("serving a survey version published", "survey", d.ID, "version", d.Version, "by", p.By)
	}
	return nil
}

// Poll refreshes every interval until ctx is done.
func (l *Live) Poll(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := l.Refresh(ctx); err != nil && ctx.Err() == nil {
			l.log.Error("reading the survey versions published", "error", err)
		}
	}
}

// Definition returns a version of a survey: a Definition.Version, or
// "live" for the one served. It is the preview's lookup.
func (l *Live) Definition(ctx context.Context, surveyID, version string) (*survey.Definition, error) {
	if d, ok := l.surveys.Survey(surveyID); ok && (version == "live" || version == d.Version) {
		return d, nil
	}
	if version == "live" {
		return nil, fmt.Errorf("survey %s: %w", surveyID, store.ErrNotFound)
	}
	v, err := l.st.SurveyVersion(ctx, surveyID, version)
	if err != nil {
		return nil, err
	}
	d, ps := Parse(v)
	if d == nil {
		return nil, ps
	}
	return d, nil
}
