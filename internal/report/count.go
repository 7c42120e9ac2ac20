package report

import (
	"context"

	"iwtoolkit/internal/survey"
)

// EachResponse streams a survey's responses in some rounds, as the stores'
// method of that name does.
type EachResponse func(ctx context.Context, surveyID string, rounds []string, fn func(survey.Response) error) error
