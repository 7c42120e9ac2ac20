package store

import (
	"context"
	"fmt"
	"time"

	"iwtoolkit/internal/survey"
)

// Fingerprint is what one answer key (a question's id, or a grid
// statement's) meant in one version of a survey: enough to tell later
// whether a change to the survey file would make old and new answers
// under that key incomparable.
type Fingerprint struct {
	Key  string
	Type string // the question's type
	// Scale is the name of the scale a scale or grid question uses.
	Scale string
	// Answers are the answers offered, as "value=label": a scale's levels,
	// or a choice's options, in the file's order.
	Answers []string
	Text    string // the question's or statement's text, in English
}

// DefinitionVersion is one version of a survey definition that the
// service served, with its fingerprints, kept so that `iwtoolkit check`
// can warn about changes to a live survey.
type DefinitionVersion struct {
	SurveyID     string
	Version      string
	Served       time.Time // when a service first served this version
	Fingerprints []Fingerprint
}

// Definitions keeps the versions of survey definitions that were served.
type Definitions interface {
	// SaveDefinition stores a version unless one with the same SurveyID
	// and Version is stored, and says whether it stored it.
	SaveDefinition(ctx context.Context, v DefinitionVersion) (bool, error)
	// DefinitionVersions returns the stored versions of a survey, oldest
	// first; none is not an error.
	DefinitionVersions(ctx context.Context, surveyID string) ([]DefinitionVersion, error)
}

// VersionOf is the version of d to record: its fingerprints, one per
// answer key, in the order the file asks them.
func VersionOf(d *survey.Definition, served time.Time) DefinitionVersion {
	v := DefinitionVersion{SurveyID: d.ID, Version: d.Version, Served: served.UTC().Truncate(time.Millisecond)}
	for _, s := range d.Sections {
		for _, q := range s.Questions {
			var answers []string
			if sc := d.ScaleOf(q); sc != nil && q.Spec().Rated {
				for _, l := range sc.Levels {
					answers = append(answers, fmt.Sprintf("%d=%s", l.Value, l.Label))
				}
			} else {
				for _, o := range q.Options {
					answers = append(answers, o.Value+"="+o.Label)
				}
			}
			fp := Fingerprint{Type: q.Type, Scale: q.Scale, Answers: answers}
			if !q.Spec().Statements {
				fp.Key, fp.Text = q.ID, q.Text
				v.Fingerprints = append(v.Fingerprints, fp)
				continue
			}
			for _, st := range q.Statements {
				fp.Key, fp.Text = st.ID, st.Text
				v.Fingerprints = append(v.Fingerprints, fp)
			}
		}
	}
	return v
}
