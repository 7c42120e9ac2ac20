package store

import (
	"context"
	"time"
)

// SurveyVersion is one version of a survey file kept in the store: made
// on the staff pages (a workbook upload is kept as the survey file it
// makes) or imported from IWT_SURVEYS_DIR. Its Version is the survey
// definition's (survey.Definition.Version, a hash of Text), so the same
// text is the same version however often it is uploaded.
type SurveyVersion struct {
	SurveyID string
	Version  string
	Text     string // the survey file (YAML)
	MadeBy   string // the email of who made it, or "survey file"
	Made     time.Time
}

// SurveyPublish is one version of a survey made live: the survey's
// publishes, in order, are its history, and the latest is the live
// version.
type SurveyPublish struct {
	SurveyID string
	Version  string
	// N is 1 for a survey's first publish, then 2, 3...: PublishSurvey
	// takes the next only, so of two publishes at once one is refused.
	N      int
	By     string // the email of who published it, or "survey file"
	At     time.Time
	Reason string // why, in the publisher's words
	// Acknowledged: the publisher confirmed that the change breaks
	// comparison with earlier rounds.
	Acknowledged bool
}

// Survey version states, as pages show them: a version never published
// is a draft, the latest published is live, one published before is
// earlier.
const (
	StateDraft   = "draft"
	StateLive    = "live"
	StateEarlier = "earlier"
)

// StateOf is the state of a version, given the survey's publishes (oldest
// first).
func StateOf(version string, publishes []SurveyPublish) string {
	if n := len(publishes); n > 0 && publishes[n-1].Version == version {
		return StateLive
	}
	for _, p := range publishes {
		if p.Version == version {
			return StateEarlier
		}
	}
	return StateDraft
}

// SurveyVersions keeps the versions of survey files, and which is live.
type SurveyVersions interface {
	// SaveSurveyVersion stores a version unless one with the same SurveyID
	// and Version is stored, and returns the stored one and whether it is
	// new. Its Made is kept to the millisecond.
	SaveSurveyVersion(ctx context.Context, v SurveyVersion) (SurveyVersion, bool, error)
	// SurveyVersion returns one version, or ErrNotFound.
	SurveyVersion(ctx context.Context, surveyID, version string) (SurveyVersion, error)
	// SurveyVersionsOf returns a survey's versions, oldest first; none is
	// not an error.
	SurveyVersionsOf(ctx context.Context, surveyID string) ([]SurveyVersion, error)
	// PublishSurvey makes a stored version live. p.N must be one more
	// than the survey's latest publish's (1 for its first): otherwise
	// another publish came first, and it returns ErrConflict and changes
	// nothing. A version not stored is ErrNotFound.
	PublishSurvey(ctx context.Context, p SurveyPublish) error
	// SurveysWithVersions returns the ids of every survey with a version
	// stored, published or not, in id order.
	SurveysWithVersions(ctx context.Context) ([]string, error)
	// SurveyPublishes returns a survey's publishes, oldest first.
	SurveyPublishes(ctx context.Context, surveyID string) ([]SurveyPublish, error)
	// LiveSurveys returns the latest publish of every survey, in survey
	// order.
	LiveSurveys(ctx context.Context) ([]SurveyPublish, error)
	// SurveyPublishCount is how many publishes there have been, of every
	// survey: cheap to ask, it changes on each publish, so that an
	// instance polling it learns of a publish on any other.
	SurveyPublishCount(ctx context.Context) (int64, error)
}
