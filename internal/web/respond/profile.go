package respond

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/publish"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

// A practitioner's own profile, after sending a staff self-assessment:
// their rating on each strand beside the partnership's published figures
// (a closed round's only, as every output shows them), to print for
// supervision. It is made on each request from the response this browser
// sent (the sent cookie: nobody else's browser can open it), never stored,
// never put with a name, and never cached (the round's pages are all
// Cache-Control: no-store).

// Published reads the partnership's published figures: publish.Publisher.
type Published interface {
	Compare(ctx context.Context, d *survey.Definition, rs []survey.Round, f map[string]string) (*report.Comparison, []publish.Round, error)
}

type profilePage struct {
	web.Page
	Survey *survey.Definition
	Rows   []profileRow
	// Against is the round whose figures are beside the ratings; empty
	// when no round has closed with figures yet.
	Against string
	Scale   *survey.Scale
}

type profileRow struct {
	Strand string
	Yours  string // "2.5", or Not rated
	Theirs string // "2.8", Not shown, or empty with no figures
}

// hasProfile reports whether a survey gives its respondents a profile:
// staff self-assessments with rated strands.
func hasProfile(d *survey.Definition) bool {
	return d.Audience == "staff" && slices.ContainsFunc(d.Sections, func(sec *survey.Section) bool {
		items, _ := sec.Rated()
		return len(items) > 0
	})
}

func (s *Pages) profile(c *fiber.Ctx, f *flow) error {
	d := f.survey
	ref, err := s.sentRef(c)
	if err != nil {
		return err
	}
	r, err := s.st.Response(c.UserContext(), ref)
	if ref == "" || errors.Is(err, store.ErrNotFound) || err == nil && (r.SurveyID != d.ID || r.Round != f.round.ID) || !hasProfile(d) || s.published == nil {
		return fiber.NewError(http.StatusNotFound, f.msg("profile-gone"))
	}
	if err != nil {
		return err
	}
	p := profilePage{Page: f.page(f.msg("profile-title"), nil, f.doneURL(r.Reference)), Survey: d}
	p.StopURL = ""
	cmp, err := s.partnership(c.UserContext(), d)
	if err != nil {
		return err
	}
	if cmp != nil {
		p.Against = cmp.Rounds[0].Round.Label
	}
	for _, sec := range d.Sections {
		items, scaleName := sec.Rated()
		if len(items) == 0 || !sec.ShowIf.Holds(r.Answers) { // strands they were asked only
			continue
		}
		if p.Scale == nil {
			p.Scale = d.Scales[scaleName]
		}
		ids := make([]string, len(items))
		for i, it := range items {
			ids[i] = it.ID
		}
		row := profileRow{Strand: sec.Title, Yours: f.msg("profile-not-rated")}
		if score, ok := survey.StrandScore(r.Answers, ids); ok {
			row.Yours = fmt.Sprintf("%.1f", float64(score)/survey.StrandScale)
		}
		if cmp != nil {
			row.Theirs = f.msg("profile-hidden")
			for _, st := range cmp.Strands {
				if st.Section.ID == sec.ID && !cmp.Rounds[0].Suppressed && !st.Figures[0].Hidden && st.Figures[0].Scored > 0 {
					row.Theirs = fmt.Sprintf("%.1f", st.Figures[0].Mean)
				}
			}
		}
		p.Rows = append(p.Rows, row)
	}
	return s.render(c, http.StatusOK, "profile", p)
}

// partnership is the published figures of the survey's latest closed
// round that has them and shows them (not hidden as too small), or nil:
// an open round's are not published.
func (s *Pages) partnership(ctx context.Context, d *survey.Definition) (*report.Comparison, error) {
	all, err := rounds.Of(ctx, s.st, d, s.now())
	if err != nil {
		return nil, err
	}
	for i := len(all) - 1; i >= 0; i-- {
		r := all[i]
		if r.Open || r.Practice {
			continue
		}
		cmp, _, err := s.published.Compare(ctx, d, []survey.Round{r.Round}, nil)
		if err != nil {
			return nil, err
		}
		if !cmp.Rounds[0].AsOf.IsZero() && !cmp.Rounds[0].Suppressed {
			return cmp, nil
		}
	}
	return nil, nil
}

func writeProfile(w *bytes.Buffer, p profilePage) {
	lang := p.Language()
	msg := func(key string, args ...any) string { return survey.Message(lang, key, args...) }
	w.WriteString(columnStart)
	text(w, `    <h1 class="govuk-heading-l">`, p.Title, "</h1>\n")
	text(w, `    <p class="govuk-body">`, msg("profile-intro", p.Survey.Title), "</p>\n")
	if sc := p.Scale; sc != nil && len(sc.Levels) > 1 {
		lo, hi := sc.Levels[0], sc.Levels[len(sc.Levels)-1]
		text(w, `    <p class="govuk-body">`, msg("profile-scale", lo.Value, lo.Label, hi.Value, hi.Label), "</p>\n")
	}
	if p.Against == "" {
		text(w, `    <p class="govuk-body" id="no-figures">`, msg("profile-no-figures"), "</p>\n")
	} else {
		text(w, `    <p class="govuk-body" id="against">`, msg("profile-partnership", p.Against), "</p>\n")
	}
	text(w, `    <div class="app-table-scroll" role="region" aria-label="`, p.Title, `" tabindex="0">`+"\n")
	w.WriteString(`    <table class="govuk-table" id="profile">
      <thead class="govuk-table__head"><tr class="govuk-table__row">`)
	text(w, `<th scope="col" class="govuk-table__header">`, msg("profile-strand"), "</th>")
	text(w, `<th scope="col" class="govuk-table__header govuk-table__header--numeric">`, msg("profile-yours"), "</th>")
	if p.Against != "" {
		text(w, `<th scope="col" class="govuk-table__header govuk-table__header--numeric">`, msg("profile-theirs"), "</th>")
	}
	w.WriteString("</tr></thead>\n      <tbody class=\"govuk-table__body\">\n")
	for _, r := range p.Rows {
		text(w, `        <tr class="govuk-table__row"><th scope="row" class="govuk-table__header">`, r.Strand, "</th>")
		text(w, `<td class="govuk-table__cell govuk-table__cell--numeric">`, r.Yours, "</td>")
		if p.Against != "" {
			text(w, `<td class="govuk-table__cell govuk-table__cell--numeric">`, r.Theirs, "</td>")
		}
		w.WriteString("</tr>\n")
	}
	w.WriteString("      </tbody>\n    </table>\n    </div>\n")
	w.WriteString(columnEnd)
}
