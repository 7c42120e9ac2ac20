package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/publish"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

const auditHelp = `Usage: iwtoolkit audit [--survey ID] [--round R]

Checks that no figure about fewer than a survey's minimum group can be
read, or worked out by adding and subtracting, from anything the service
has published of its rounds (every round: the survey file's and those
added by staff). For each round it reads what the store holds:

  - an open round: its publication must hold a count and nothing else;
  - a closed round: its figures, as every output shows them (every filter
    and crossing of the report, every view, the JSON API, the CSV of
    aggregates, the Board pack, "You said, we did", completion of
    invitations; every question's and indicator's figures, with each
    multiple-choice option's choosers as a group of their own), checked
    against the responses they were made from; a closed round with no
    figures yet is checked as they would be made now;
  - every pair of rounds with figures: the paired comparison, beside both
    rounds' figures.

Staff pages show no other count of responses that moves while a round is
open (docs/data-protection.md, "Figures over time"). It changes nothing,
says what it is checking as it goes, and stops on Ctrl-C or SIGTERM. Run
it before publishing a Board pack.

Each leak is printed with the group and the figure. With --zeros, a count
that can be worked out only with the help of zeros the figures show (a
group of at least the minimum in which nobody gave an answer) is counted,
not printed (see docs/data-protection.md); that takes linear programs,
minutes on a large round. Exits 1 when it finds a leak.
`

var errLeaks = errors.New("the audit found figures about fewer than the minimum group that can be worked out")

func audit(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flagSet("audit", auditHelp, stdout)
	surveyID := fs.String("survey", "", "the survey's id (every survey when left out)")
	round := fs.String("round", "", "one round's id (every round when left out)")
	zeros := fs.Bool("zeros", false, "also count the counts fixed only through shown zeros (linear programs: slow on large rounds)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, surveys, err := settingsAndSurveys(getenv)
	if err != nil {
		return err
	}
	st, _, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if err := servedSurveys(ctx, st, surveys); err != nil {
		return err
	}
	list := surveys.All()
	if *surveyID != "" {
		d, ok := surveys.Survey(*surveyID)
		if !ok {
			return noSurvey("audit", *surveyID, surveys)
		}
		list = []*survey.Definition{d}
	}
	a := &auditor{st: st, out: stdout, now: time.Now(), zeros: *zeros}
	for _, d := range list {
		if err := a.survey(ctx, d, *round); err != nil {
			return err
		}
	}
	if a.found > 0 {
		return errLeaks
	}
	fmt.Fprintf(stdout, "no leaks found in %d %s\n", len(list), map[bool]string{true: "survey", false: "surveys"}[len(list) == 1])
	return nil
}

type auditor struct {
	st    store.Store
	out   io.Writer
	now   time.Time
	zeros bool
	found int
}

func (a *auditor) report(what string, leaks []disclosure.Leak) {
	zeros := 0
	for _, l := range leaks {
		if l.ThroughZeros {
			zeros++
			continue
		}
		a.found++
		fmt.Fprintf(a.out, "%s: LEAK: %v\n", what, l)
	}
	if a.zeros {
		fmt.Fprintf(a.out, "%s: %d leaks; %d counts fixed only through shown zeros\n", what, len(leaks)-zeros, zeros)
	} else {
		fmt.Fprintf(a.out, "%s: %d leaks\n", what, len(leaks)-zeros)
	}
}

// survey audits every round of d (or the one named) and every pair of
// rounds with figures.
func (a *auditor) survey(ctx context.Context, d *survey.Definition, only string) error {
	all, err := rounds.Of(ctx, a.st, d, a.now)
	if err != nil {
		return err
	}
	if only != "" && !strings.Contains(","+roundIDs(all)+",", ","+only+",") {
		return fmt.Errorf("survey %s has no round %q", d.ID, only)
	}
	plan := store.PlanFor(d)
	pubs := map[string]*report.Publication{}
	for i, r := range all {
		if err := ctx.Err(); err != nil {
			return err
		}
		if only != "" && r.ID != only {
			continue
		}
		fmt.Fprintf(a.out, "checking %s %s (round %d of %d)…\n", d.ID, r.ID, i+1, len(all))
		head, err := a.st.Publication(ctx, d.ID, r.ID, true)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var pub *report.Publication
		switch {
		case publish.IsCount(head) && r.Open:
			if len(head.Data) > 0 {
				a.found++
				fmt.Fprintf(a.out, "%s %s: LEAK: the open round's publication holds figures\n", d.ID, r.ID)
			}
			fmt.Fprintf(a.out, "%s %s: open: a count only (%d responses when last counted)\n", d.ID, r.ID, head.Responses)
			continue
		case publish.IsFigures(head):
			if pub, err = report.DecodePublication(head.Data); err != nil {
				return err
			}
		case r.Open:
			fmt.Fprintf(a.out, "%s %s: open: nothing published\n", d.ID, r.ID)
			continue
		default:
			// Closed, with figures not made yet (or made under another
			// basis): check them as they would be made now.
			tallies, err := a.st.CellTallies(ctx, plan, r.ID)
			if err != nil {
				return err
			}
			pub = report.Publish(d, r.ID, publish.Cells(tallies), a.now)
		}
		cells, erased, err := a.cellsAt(ctx, d, r.ID, pub)
		if err != nil {
			return err
		}
		leaks, err := report.Audit(ctx, d, cells, pub, report.Gather(d, pub), a.zeros)
		if err != nil {
			return err
		}
		if erased {
			leaks = withoutMismatches(leaks) // the truth it was made from is partly gone
		}
		pubs[r.ID] = pub
		a.report(fmt.Sprintf("%s %s (%d responses, %d groups shown)", d.ID, r.ID, pub.Responses, len(pub.Groups)), leaks)
	}
	for i, x := range all {
		for _, y := range all[i+1:] {
			if pubs[x.ID] == nil || pubs[y.ID] == nil {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "checking %s pairs %s and %s…\n", d.ID, x.ID, y.ID)
			pairs, err := report.ReadPairs(ctx, d, x.ID, y.ID, [2]*report.Publication{pubs[x.ID], pubs[y.ID]}, a.st.EachResponse)
			if err != nil {
				return err
			}
			a.report(fmt.Sprintf("%s pairs %s and %s", d.ID, x.ID, y.ID), pairs.Audit())
		}
	}
	return nil
}

// cellsAt are a round's cells as they were when pub was made: its
// responses sent by then. erased says some have been erased since, so
// that the check cannot compare every figure with its truth.
func (a *auditor) cellsAt(ctx context.Context, d *survey.Definition, round string, pub *report.Publication) ([]report.CellCounts, bool, error) {
	var rs []survey.Response
	err := a.st.EachResponse(ctx, d.ID, []string{round}, func(r survey.Response) error {
		if !r.Submitted.After(pub.At) {
			rs = append(rs, r)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return publish.CellsOf(d, rs), len(rs) != pub.Responses, nil
}

func withoutMismatches(leaks []disclosure.Leak) []disclosure.Leak {
	var out []disclosure.Leak
	for _, l := range leaks {
		if !strings.HasPrefix(l.How, "is shown as ") {
			out = append(out, l)
		}
	}
	return out
}

func roundIDs(all []rounds.Now) string {
	ids := make([]string, len(all))
	for i, r := range all {
		ids[i] = r.ID
	}
	return strings.Join(ids, ",")
}
