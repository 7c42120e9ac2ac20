package store

import (
	"context"
	"time"
)

// Commentary is what the Trust says about one strand in one round's Board
// pack, in the three parts of Ofsted's self-evaluation habit. It is staff
// writing, never a respondent's.
type Commentary struct {
	SurveyID string
	Round    string // the round whose pack it belongs to
	Strand   string // a section id of the survey
	Know     string // what we know
	How      string // how we know
	Next     string // what next
	Updated  time.Time
}

// ActionStatus is where an agreed action has got to.
type ActionStatus string

// The statuses of an action. Done and dropped are closed: a closed action
// is not carried into later rounds' packs.
const (
	NotStarted ActionStatus = "not-started"
	InProgress ActionStatus = "in-progress"
	Done       ActionStatus = "done"
	Dropped    ActionStatus = "dropped"
)

// ActionStatuses lists the statuses in the order forms offer them.
var ActionStatuses = []ActionStatus{NotStarted, InProgress, Done, Dropped}

// Label is the status as pages show it.
func (s ActionStatus) Label() string {
	switch s {
	case NotStarted:
		return "Not started"
	case InProgress:
		return "In progress"
	case Done:
		return "Done"
	case Dropped:
		return "Dropped"
	}
	return string(s)
}

// Closed reports whether the action is finished with, done or dropped.
func (s ActionStatus) Closed() bool { return s == Done || s == Dropped }

// Valid reports whether s is one of the statuses.
func (s ActionStatus) Valid() bool {
	for _, v := range ActionStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Action is an action the Board agreed on a strand. It is created in one
// round's pack and carried into later rounds' packs until it is done or
// dropped, with its history.
type Action struct {
	ID       string // random, chosen by the caller
	SurveyID string
	Strand   string
	Text     string
	Owner    string
	Due      time.Time // a date: midnight UTC
	Status   ActionStatus
	Round    string // the round in whose pack it was created
	Created  time.Time
	Updated  time.Time
	History  []ActionChange // oldest first; the first is the creation
}

// ActionChange is one change to an action: when, in which round's pack,
// and the status, owner and due date it left the action with.
type ActionChange struct {
	At     time.Time
	Round  string
	Status ActionStatus
	Owner  string
	Due    time.Time
	Note   string // optional: why, in a sentence
}

// TargetKind is what a target counts.
type TargetKind string

// The kinds of target: a share (on a strand, the share of answers at or
// above the survey's good level, the pack's headline figure; on a
// question, the share who gave one answer; on an indicator, the share who
// reach its level), or a strand's mean rating.
const (
	TargetShare TargetKind = "share"
	TargetMean  TargetKind = "mean"
)

// TargetOn is what a target is on: a strand, a closed question or a
// "reaches" indicator. Strand is the zero value, so targets stored before
// questions and indicators had targets read as they were.
type TargetOn string

// What a target may be on.
const (
	OnStrand    TargetOn = ""
	OnQuestion  TargetOn = "question"
	OnIndicator TargetOn = "indicator"
)

// Target is the figure the Board means a strand, question or indicator to
// reach by a date, set in one round's pack and evaluated in each later
// round's from the published figures. Its key is (SurveyID, On, Subject):
// each has one target at a time, and setting another replaces it.
type Target struct {
	SurveyID string
	On       TargetOn
	Subject  string // the strand's, question's or indicator's id
	// Option is, for a target on a question, the answer whose share is
	// counted (its value); empty otherwise.
	Option  string
	Kind    TargetKind
	Value   float64   // a percentage (0 to 100) for a share, a level for a mean
	By      time.Time // a date: midnight UTC
	Round   string    // the round in whose pack it was set
	Updated time.Time
}

// Board is the part of the contract behind the Board pack: the commentary
// per strand, the actions agreed and the targets set.
type Board interface {
	// SetCommentary creates or replaces the commentary on one strand in
	// one round.
	SetCommentary(ctx context.Context, c Commentary) error
	// Commentary returns the commentary on one strand in one round, or
	// ErrNotFound.
	Commentary(ctx context.Context, surveyID, round, strand string) (Commentary, error)
	// Commentaries returns the commentary on every strand of one round.
	Commentaries(ctx context.Context, surveyID, round string) ([]Commentary, error)

	// AddAction stores a new action. Its history starts with one entry,
	// its creation, made from its own fields (a.History is ignored). An
	// action with the same ID is ErrConflict.
	AddAction(ctx context.Context, a Action) error
	// UpdateAction sets an action's status, owner and due date from ch,
	// its Updated time to ch.At, and appends ch to its history, in one
	// step. It returns the action as it now is, or ErrNotFound.
	UpdateAction(ctx context.Context, id string, ch ActionChange) (Action, error)
	// Action returns one action, or ErrNotFound.
	Action(ctx context.Context, id string) (Action, error)
	// Actions returns every action on a survey, oldest first. Which of
	// them a round's pack shows is the caller's business: the store does
	// not know the order of rounds.
	Actions(ctx context.Context, surveyID string) ([]Action, error)

	// SetTarget creates or replaces the target on one strand, question or
	// indicator of a survey (its key: SurveyID, On, Subject).
	SetTarget(ctx context.Context, t Target) error
	// Targets returns every target on a survey, ordered by On (strands
	// first), then Subject.
	Targets(ctx context.Context, surveyID string) ([]Target, error)
}
