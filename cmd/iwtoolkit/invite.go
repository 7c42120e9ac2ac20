package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"iwtoolkit/internal/mail"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
)

const inviteHelp = `Usage: iwtoolkit invite --survey S --round R --organisation O --contacts FILE.csv [--from-round F]

Adds a contact list to a round and queues one invitation email to each
person, with their own single-use link. FILE.csv is CSV in UTF-8 (with or
without a byte order mark, as Excel saves it) with a header row, an email
column and optionally a name column and a language column (a code or
name of a language the survey is written in, such as cy or Welsh: the
person's emails, and the survey they open, are in it). If any line has a problem (not an
address, a duplicate, too long, too many people), nothing is added and every
problem is listed as FILE:line: problem.

--from-round gives people who were on that round's list (same organisation,
same address) the same pseudonymous respondent key, so that their answers
pair across rounds.

The survey is the one the service serves: its live version in the store
(published on the staff pages, or imported from its file), so a survey
made on the staff pages, with no file, can be invited to.

The emails are sent by the running service (IWT_SMTP_HOST and the other
IWT_SMTP_ settings). The embedded store serves one process at a time: with
it, use the staff page /staff/contacts while the service runs.
`

func invite(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flagSet("invite", inviteHelp, stdout)
	surveyID := fs.String("survey", "", "the survey's id")
	round := fs.String("round", "", "the round to invite people to")
	org := fs.String("organisation", "", "the organisation whose people they are")
	file := fs.String("contacts", "", "the contact list, a CSV file")
	from := fs.String("from-round", "", "an earlier round to follow on from (optional)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *surveyID == "" || *round == "" || strings.TrimSpace(*org) == "" || *file == "" {
		return fmt.Errorf("invite: --survey, --round, --organisation and --contacts are all needed (invite --help)")
	}
	cfg, surveys, err := settingsAndSurveys(getenv)
	if err != nil {
		return err
	}
	f, err := os.Open(*file)
	if err != nil {
		return fmt.Errorf("invite: %w", err)
	}
	defer f.Close()
	rows, problems := mail.ParseContacts(f)
	if len(problems) > 0 {
		return listProblems(*file, problems)
	}
	st, _, err := openStore(ctx, cfg)
	if err != nil {
		return besideService("invite", "upload the list at /staff/contacts", err)
	}
	defer st.Close(context.WithoutCancel(ctx))
	// The surveys as the service serves them: a survey made on the staff
	// pages, and the version published there in place of a file's.
	if err := servedSurveys(ctx, st, surveys); err != nil {
		return err
	}
	d, ok := surveys.Survey(*surveyID)
	if !ok {
		return noSurvey("invite", *surveyID, surveys)
	}
	if q, has := d.BreakdownQuestion("organisation"); has && q.OptionLabel(*org) == "" {
		return fmt.Errorf("invite: %q is not one of the organisations %s asks about", *org, d.ID)
	}
	now := time.Now().UTC()
	problems, err = mail.Import{Survey: d, Round: *round, Organisation: strings.TrimSpace(*org), FromRound: *from, Rows: rows, Now: now}.
		Add(ctx, st, mail.NewLinks(st, cfg.BaseURL))
	if err != nil {
		return fmt.Errorf("invite: %w", err)
	}
	if len(problems) > 0 {
		return listProblems(*file, problems)
	}
	target := fmt.Sprintf("%s %s, %s: %d contacts", d.ID, *round, strings.TrimSpace(*org), len(rows))
	if err := st.Audit(ctx, store.AuditEntry{At: now, Actor: "iwtoolkit invite", Action: "uploaded contact list", Target: target}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d invitations queued for %s %s (%s); the service sends them\n", len(rows), d.ID, *round, strings.TrimSpace(*org))
	return nil
}

// besideService says what to do instead when the embedded store is held
// by a running service: the staff page does the same.
func besideService(command, instead string, err error) error {
	var inUse *sqlite.InUseError
	if errors.As(err, &inUse) {
		return fmt.Errorf("%s: the embedded store in %s is in use by %s, and one process uses it at a time: if that is the service, %s instead; otherwise wait for it to finish and run this again", command, inUse.Dir, inUse.Holder, instead)
	}
	return err
}

// listProblems is the error for a refused list: every line's problem.
func listProblems(file string, problems []mail.RowError) error {
	var b strings.Builder
	fmt.Fprintf(&b, "invite: the contact list was not added; nobody on it was (%d %s):", len(problems), map[bool]string{true: "problem", false: "problems"}[len(problems) == 1])
	for _, p := range problems {
		fmt.Fprintf(&b, "\n%s:%d: %s", file, p.Line, p.Message)
	}
	return fmt.Errorf("%s", b.String())
}

const remindHelp = `Usage: iwtoolkit remind --survey S --round R [--organisation O]

Queues one reminder email to each person on the round's contact lists (of
one organisation, or all) whose invitation has not been used, who has not
asked for no more emails, and who has had fewer than the most reminders
(the round's reminder schedule: set on its staff page, else the survey
file's email.reminder_days, else 3). Who has answered is known
from the invitations alone, never from answers. A closed round gets none.
`

func remind(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flagSet("remind", remindHelp, stdout)
	surveyID := fs.String("survey", "", "the survey's id")
	round := fs.String("round", "", "the round")
	org := fs.String("organisation", "", "one organisation only (optional)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *surveyID == "" || *round == "" {
		return fmt.Errorf("remind: --survey and --round are needed (remind --help)")
	}
	cfg, surveys, err := settingsAndSurveys(getenv)
	if err != nil {
		return err
	}
	st, _, err := openStore(ctx, cfg)
	if err != nil {
		return besideService("remind", "use the reminder button at /staff/contacts", err)
	}
	defer st.Close(context.WithoutCancel(ctx))
	// The surveys as the service serves them (invite).
	if err := servedSurveys(ctx, st, surveys); err != nil {
		return err
	}
	d, ok := surveys.Survey(*surveyID)
	if !ok {
		return noSurvey("remind", *surveyID, surveys)
	}
	now := time.Now().UTC()
	res, err := mail.Remind(ctx, st, d, *round, *org, now)
	if err != nil {
		return fmt.Errorf("remind: %w", err)
	}
	scope := *org
	if scope == "" {
		scope = "all organisations"
	}
	if err := st.Audit(ctx, store.AuditEntry{At: now, Actor: "iwtoolkit remind", Action: "sent reminders", Target: fmt.Sprintf("%s %s, %s: %d queued", d.ID, *round, scope, res.Queued)}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d reminders queued; %d people's links are unused (%d of them asked for no more emails, %d have had the most reminders)\n",
		res.Queued, res.Unused, res.OptedOut, res.AtMost)
	return nil
}
