// Package rounds says how a survey's rounds stand now: declared in the
// survey file (or added by staff), with the state staff have set in the
// store (open or closed, scheduled, practice), judged against a clock.
// The respondent pages, the staff pages and the reports all ask it, so
// that they agree on which rounds are open and which a report compares.
package rounds

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/London on an image with no zone files

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// States is what a store keeps of rounds.
type States interface {
	RoundStates(ctx context.Context, surveyID string) ([]store.RoundState, error)
}

// DefaultMostReminders is the most reminders one person is sent in a
// round whose schedule neither staff nor the survey file set.
const DefaultMostReminders = 3

// fileReminders is the reminder schedule of a round whose staff have set
// none: the survey file's email.reminder_days, at most one reminder for
// each, or reminders on demand only, at most DefaultMostReminders.
func fileReminders(d *survey.Definition) store.Reminders {
	if d.Email != nil && len(d.Email.ReminderDays) > 0 {
		return store.Reminders{Days: d.Email.ReminderDays, Most: len(d.Email.ReminderDays)}
	}
	return store.Reminders{Most: DefaultMostReminders}
}

// Now is a round as it stands: Round.Open is whether it is open now, and
// Round.Practice whether it is a practice round.
type Now struct {
	survey.Round
	// State is what is stored; for a file's round never changed, its
	// initial state. State.Reminders is always the schedule in force:
	// the survey file's until staff set one.
	State store.RoundState
}

// Status says in words whether the round is open, and when that changes.
func (r Now) Status(now time.Time) string {
	st := r.State
	switch {
	case !st.Open && !st.ClosesAt.IsZero():
		return "Closed on " + LondonTime(st.ClosesAt)
	case !st.Open:
		return "Closed"
	case !st.OpensAt.IsZero() && now.Before(st.OpensAt):
		return "Scheduled: opens " + LondonTime(st.OpensAt) + closesText(st)
	case !st.ClosesAt.IsZero() && !now.Before(st.ClosesAt):
		return "Closed on " + LondonTime(st.ClosesAt)
	case !st.ClosesAt.IsZero():
		return "Open until " + LondonTime(st.ClosesAt)
	}
	return "Open"
}

// ClosedAt is when the round closed: its closing time, whether a
// schedule set it or an administrator closed it by hand (which records
// the moment). ok is false while the round is open or yet to open, and
// for a round closed before closing times were recorded.
func (r Now) ClosedAt(now time.Time) (time.Time, bool) {
	at := r.State.ClosesAt
	if r.Open || at.IsZero() || now.Before(at) {
		return time.Time{}, false
	}
	return at, true
}

// KeptUntil is the day the round's responses are kept until: the
// survey's retention_months after the round closed, in UK time. ok is
// false when the survey sets no period or ClosedAt is not known.
func (r Now) KeptUntil(d *survey.Definition, now time.Time) (time.Time, bool) {
	at, ok := r.ClosedAt(now)
	if !ok || d.RetentionMonths == 0 {
		return time.Time{}, false
	}
	return at.In(London).AddDate(0, d.RetentionMonths, 0), true
}

func closesText(st store.RoundState) string {
	if st.ClosesAt.IsZero() {
		return ""
	}
	return ", closes " + LondonTime(st.ClosesAt)
}

// London is the zone staff enter and read times in.
var London = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // embedded by time/tzdata
	}
	return l
}()

// LondonTime is a time as staff read it.
func LondonTime(t time.Time) string { return t.In(London).Format("2 January 2006 15:04") }

// ParseLondonTime reads a time as LondonTime writes it.
func ParseLondonTime(s string) (time.Time, error) {
	return time.ParseInLocation("2 January 2006 15:04", s, London)
}

// LondonDate is a day as pages write it, in UK time: "19 December 2028".
func LondonDate(t time.Time) string { return t.In(London).Format("2 January 2006") }

// Of returns a survey's rounds as they stand at now: the file's rounds in
// the file's order, then the rounds staff added, oldest first.
func Of(ctx context.Context, st States, d *survey.Definition, now time.Time) ([]Now, error) {
	states, err := st.RoundStates(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	stored := map[string]store.RoundState{}
	for _, s := range states {
		stored[s.Round] = s
	}
	var out []Now
	for _, r := range d.Rounds {
		s, ok := stored[r.ID]
		if !ok {
			s = store.RoundState{SurveyID: d.ID, Round: r.ID, Open: r.Open, Practice: r.Practice}
		}
		delete(stored, r.ID)
		out = append(out, fileRound(d, r, s, now))
	}
	for _, s := range states {
		if _, ok := stored[s.Round]; !ok || !s.Added {
			continue // declared in the file, or a state left from a round since removed from it
		}
		out = append(out, addedRound(d, s, now))
	}
	return out, nil
}

// fileRound is a round of the file as it stands now, in its state s.
func fileRound(d *survey.Definition, r survey.Round, s store.RoundState, now time.Time) Now {
	if !s.Reminders.Set {
		s.Reminders = fileReminders(d)
	}
	r.Open, r.Practice = s.OpenAt(now), s.Practice
	return Now{Round: r, State: s}
}

// addedRound is a round staff added, as it stands now, from its state s.
func addedRound(d *survey.Definition, s store.RoundState, now time.Time) Now {
	if !s.Reminders.Set {
		s.Reminders = fileReminders(d)
	}
	return Now{Round: survey.Round{ID: s.Round, Label: s.Label, Open: s.OpenAt(now), Practice: s.Practice}, State: s}
}

// One returns one round of a survey as it stands now: the round Of lists
// with that id, found without making the list (every respondent's page
// asks for its round).
func One(ctx context.Context, st States, d *survey.Definition, id string, now time.Time) (Now, bool, error) {
	states, err := st.RoundStates(ctx, d.ID)
	if err != nil {
		return Now{}, false, err
	}
	for _, r := range d.Rounds {
		if r.ID != id {
			continue
		}
		// A round of the file, as Of makes it: its state stored last,
		// else its initial state.
		s := store.RoundState{SurveyID: d.ID, Round: r.ID, Open: r.Open, Practice: r.Practice}
		for i := len(states) - 1; i >= 0; i-- {
			if states[i].Round == id {
				s = states[i]
				break
			}
		}
		return fileRound(d, r, s, now), true, nil
	}
	for _, s := range states { // a round staff added
		if s.Round == id && s.Added {
			return addedRound(d, s, now), true, nil
		}
	}
	return Now{}, false, nil
}

// Comparable are the rounds a report may compare: every round but
// practice ones.
func Comparable(ctx context.Context, st States, d *survey.Definition, now time.Time) ([]survey.Round, error) {
	all, err := Of(ctx, st, d, now)
	if err != nil {
		return nil, err
	}
	var out []survey.Round
	for _, r := range all {
		if !r.Practice {
			out = append(out, r.Round)
		}
	}
	return out, nil
}

// RemindersText says a reminder schedule in words, for staff: "7 and 14
// days after the invitation, at most 2 to one person, none once the
// round closes".
func RemindersText(r store.Reminders) string {
	most := fmt.Sprintf("at most %d to one person", r.Most)
	switch {
	case r.Most == 0:
		return "None"
	case len(r.Days) == 0:
		return "Only when staff send them, " + most
	}
	days := make([]string, len(r.Days))
	for i, d := range r.Days {
		days[i] = strconv.Itoa(d)
	}
	list := days[0]
	if n := len(days); n > 1 {
		list = strings.Join(days[:n-1], ", ") + " and " + days[n-1]
	}
	unit := " days"
	if len(days) == 1 && r.Days[0] == 1 {
		unit = " day"
	}
	return list + unit + " after the invitation, " + most + ", none once the round closes"
}
