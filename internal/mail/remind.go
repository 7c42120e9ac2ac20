package mail

import (
	"context"
	"fmt"
	"time"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Reminders is what a call to Remind did.
type Reminders struct {
	Queued   int // reminders queued now
	Contacts int // contacts of the round (of the organisation)
	Unused   int // contacts whose invitation is unused, opted out or not
	OptedOut int
	Refused  int // contacts whose address the mail server refused for good: not reminded
	AtMost   int // contacts passed over: reminded the most times already
}

// Remind queues one reminder to each contact of a round (of one
// organisation, or all when organisation is empty) whose invitation has
// not been used, who has not opted out, who has no email waiting and who
// has had fewer than the round's most reminders. Who has answered is
// known from the invitation's state only, never from answers. A closed
// round gets none.
func Remind(ctx context.Context, st Store, d *survey.Definition, round, organisation string, now time.Time) (Reminders, error) {
	r, ok, err := rounds.One(ctx, st, d, round, now)
	if err != nil {
		return Reminders{}, err
	}
	if !ok {
		return Reminders{}, fmt.Errorf("mail: %s has no round %q", d.ID, round)
	}
	return remind(ctx, st, d, r, organisation, now, func(store.ContactState) int { return r.State.Reminders.Most })
}

// remind queues reminders to those due, up to due(c) reminders in all.
func remind(ctx context.Context, st Store, d *survey.Definition, r rounds.Now, organisation string, now time.Time, due func(store.ContactState) int) (Reminders, error) {
	var out Reminders
	if !r.Open {
		return out, nil
	}
	round, most := r.ID, r.State.Reminders.Most
	var msgs []store.MailMessage
	err := st.RoundContacts(ctx, d.ID, round, func(c store.ContactState) error {
		if organisation != "" && c.Organisation != organisation {
			return nil
		}
		out.Contacts++
		if c.Used {
			return nil
		}
		out.Unused++
		switch {
		case c.OptedOut:
			out.OptedOut++
		case c.Refused:
			out.Refused++
		case c.Pending:
		case c.Reminders >= most:
			out.AtMost++
		case c.Reminders < due(c):
			msgs = append(msgs, store.MailMessage{ID: store.MailID(c.ID, c.Reminders+1), ContactID: c.ID, SurveyID: d.ID, Round: round,
				Organisation: c.Organisation, Kind: store.MailReminder, NextAttempt: now, Created: now})
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	out.Queued, err = st.QueueMail(ctx, msgs)
	return out, err
}

// ScheduledReminders queues the reminders that the rounds' schedules make
// due at now, in every open round, and says how many. A reminder sent on
// demand counts towards the schedule: someone reminded by hand on day 5
// of a 7 and 14 day schedule is reminded again on day 14, not on day 7.
func ScheduledReminders(ctx context.Context, st Store, surveys *survey.Catalogue, now time.Time) (int, error) {
	n := 0
	for _, d := range surveys.All() {
		all, err := rounds.Of(ctx, st, d, now)
		if err != nil {
			return n, err
		}
		for _, r := range all {
			if !r.Open || len(r.State.Reminders.Days) == 0 {
				continue
			}
			got, err := remind(ctx, st, d, r, "", now, func(c store.ContactState) int {
				due := 0
				for _, days := range r.State.Reminders.Days {
					if !now.Before(c.Created.Add(time.Duration(days) * 24 * time.Hour)) {
						due++
					}
				}
				return due
			})
			n += got.Queued
			if err != nil {
				return n, err
			}
		}
	}
	return n, nil
}
