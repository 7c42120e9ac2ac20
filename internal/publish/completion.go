package publish

import (
	"context"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/survey"
)

// Completions is what completion is read from besides the publication:
// the invitations made.
type Completions interface {
	Completion(ctx context.Context, surveyID, round string) ([]survey.Completion, error)
}

// CompletionRound is one round's completion table.
type CompletionRound struct {
	Round survey.Round
	// Open: the round is open, so its responses are not shown yet.
	Open bool
	Rows []CompletionRow
}

// CompletionRow is one organisation's invitations and responses in a
// round.
type CompletionRow struct {
	Organisation       string // the organisation's value, as stored
	Label              string // as the survey words it
	Invited, Responded int
	Hidden             bool // too few responses to show, or hidden to protect such a group: Responded is 0
	percent            float64
}

// Percent is the share of invitations answered, worked from the exact
// count.
func (r CompletionRow) Percent() float64 { return r.percent }

// Completion is a round's invitations and responses by organisation: how
// many invitations were made for each organisation (staff's own figure)
// and how many people who came through an invitation said they work there,
// from the round's publication, hidden as it hides them (so that a count
// of a few invited people, or one that differenced with the organisation's
// responses gives one away, is not shown). Every organisation is listed,
// so that a caller may then pick out the rows its reader may see.
func Completion(ctx context.Context, st Completions, d *survey.Definition, round string, pub Round) ([]CompletionRow, error) {
	counts, err := st.Completion(ctx, d.ID, round)
	if err != nil {
		return nil, err
	}
	invited := -1
	if pub.Publication != nil {
		invited = pub.PopIndex(report.InvitedPopulation)
	}
	q, hasQuestion := d.BreakdownQuestion("organisation")
	rows := make([]CompletionRow, len(counts))
	for i, n := range counts {
		rows[i] = CompletionRow{Organisation: n.Organisation, Label: n.Organisation, Invited: n.Invited, Hidden: true}
		if hasQuestion && q.OptionLabel(n.Organisation) != "" {
			rows[i].Label = q.OptionLabel(n.Organisation)
		}
		if invited >= 0 {
			if g := pub.Group(map[string]string{"organisation": n.Organisation}, invited); g != nil {
				rows[i].Responded, rows[i].Hidden = pub.Count(g.Size), false
				rows[i].percent = 100 * float64(pub.Count(g.Size)) / float64(max(n.Invited, 1)) // from the count shown
			}
		}
	}
	return rows, nil
}
