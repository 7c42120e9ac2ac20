package store

import (
	"context"
	"time"
)

// Publication is what reports show of one round of a survey: figures made
// from the round's tallies at one moment, with every group too small to
// show hidden (report.Publication is what Data holds; the store does not
// read it). Reports read it instead of the live tallies, so an open
// round's figures move in steps of at least the survey's minimum group
// size, never by one response; and every instance on one store shows the
// same step.
type Publication struct {
	SurveyID, Round string
	// Version counts the round's publications: 1 for the first.
	Version int64
	// Basis says what the figures were made under (the tally plan and the
	// rules of suppression): figures made under another basis are made again.
	Basis string
	// Responses is the number of responses the figures were made from.
	Responses int
	// At is when they were made.
	At   time.Time
	Data []byte
}

// Publications keeps each round's publication.
type Publications interface {
	// Publication returns the round's publication, or ErrNotFound. With
	// data false, Data is left empty: a cheap look at its version.
	Publication(ctx context.Context, surveyID, round string, data bool) (Publication, error)
	// Publish stores p as the round's publication in place of version
	// prev (0 when there is none), as version prev+1, and returns it with
	// its version set. If the round's publication is no longer version
	// prev, because another request or instance published first, it
	// stores nothing and returns ErrConflict.
	Publish(ctx context.Context, p Publication, prev int64) (Publication, error)
}
