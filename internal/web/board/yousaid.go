package board

// "You said, we did" (/you-said/{survey}/{round}): for a consultation
// round of children, young people or parents and carers, a public page
// with the round's published figures in the survey's own words and
// languages, and the Board's actions in that round's pack. Its figures are
// the round's publication's, for everyone who answered (no filter), as
// the pack shows them: what the publication hides it hides, and
// `iwtoolkit audit` checks that publication. It shows no count of people.

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

// YouSaidURL is the address of a round's "You said, we did" page; the
// respondents' start page of the next round links to it.
func YouSaidURL(surveyID, round string) string { return survey.YouSaidPath(surveyID, round) }

// YouSaid is the address of the pack's round's "You said, we did" page.
func (p packPage) YouSaid() string { return YouSaidURL(p.Survey.ID, p.Round.ID) }

type youSaidPage struct {
	web.Page
	Survey  *survey.Definition // in the page's language
	Round   survey.Round
	NotYet  bool // the round is open, or its figures are not made yet
	Hidden  bool // the round's group is too small to show
	Strands []youSaidStrand
	Actions []youSaidAction
}

type youSaidStrand struct {
	Title     string
	Questions []youSaidQuestion
}

type youSaidQuestion struct {
	Text string
	Said string // "63% said “Yes”"; "" when hidden
}

type youSaidAction struct {
	Strand, Text, Status, Due string
}

// Word is the service's wording in the page's language.
func (p youSaidPage) Word(key string, args ...any) string {
	return survey.Message(p.Lang, key, args...)
}

// youSaid is the page.
func (s *Pages) youSaid(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	base, ok := s.surveys.Survey(c.Params("survey"))
	if !ok || !base.Consultation() {
		return fiber.NewError(http.StatusNotFound, "There is no such page")
	}
	ctx := c.UserContext()
	comparable, err := rounds.Comparable(ctx, s.st, base, s.now())
	if err != nil {
		return err
	}
	idx := slices.IndexFunc(comparable, func(r survey.Round) bool { return r.ID == c.Params("round") })
	if idx < 0 {
		return fiber.NewError(http.StatusNotFound, "There is no such page")
	}
	lang := c.Query("lang")
	if !slices.Contains(base.Languages, lang) {
		lang = "en"
	}
	d := base.In(lang)
	r := comparable[idx]
	p := youSaidPage{Page: web.Page{Title: survey.Message(lang, "you-said-title") + ": " + d.Title, Lang: lang}, Survey: d, Round: r}
	if base.ForYoungPeople() {
		p.ExitURL = base.ExitPage
	}
	if len(base.Languages) > 1 {
		for _, code := range base.Languages {
			p.Languages = append(p.Languages, web.LanguageLink{Code: code, Label: survey.LanguageName(code), Current: code == lang,
				URL: YouSaidURL(base.ID, r.ID) + "?" + url.Values{"lang": {code}}.Encode()})
		}
	}
	cmp, _, err := s.publisher.Compare(ctx, base, []survey.Round{r}, store.Filter{})
	if err != nil {
		return err
	}
	col := cmp.Rounds[0]
	switch {
	case col.Open() || col.AsOf.IsZero():
		p.NotYet = true
	case col.Suppressed:
		p.Hidden = true
	default:
		p.Strands = youSaidStrands(cmp, d, lang)
	}
	if !p.NotYet {
		actions, err := s.st.Actions(ctx, base.ID)
		if err != nil {
			return err
		}
		order := map[string]int{}
		for i, x := range comparable {
			order[x.ID] = i
		}
		for _, a := range actions {
			if show, _ := inPack(a, order, idx); show {
				title := a.Strand
				if sec, ok := d.Section(a.Strand); ok {
					title = sec.Title
				}
				ya := youSaidAction{Strand: title, Text: a.Text, Status: survey.Message(lang, "action-"+string(a.Status))}
				if !a.Due.IsZero() {
					ya.Due = survey.Date(lang, a.Due)
				}
				p.Actions = append(p.Actions, ya)
			}
		}
	}
	return s.render(c, http.StatusOK, "you-said.html", p)
}

// youSaidStrands are each strand's questions with the share who gave the
// good answers, from the comparison's published counts, in the words of
// the definition d (the page's language).
func youSaidStrands(cmp *report.Comparison, d *survey.Definition, lang string) []youSaidStrand {
	var out []youSaidStrand
	for si, sd := range cmp.Sections {
		good := report.GoodLevel(sd.Scale)
		shares := cmp.StatementShares(si, good.Value)
		sec, ok := d.Section(sd.Section.ID)
		if !ok {
			sec = sd.Section
		}
		items, scaleName := sec.Rated()
		scale := d.Scales[scaleName]
		var said []string // the good answers' labels, in the page's language
		for _, l := range scale.Levels {
			if l.Value >= good.Value {
				said = append(said, "“"+l.Label+"”")
			}
		}
		words := strings.Join(said, " "+survey.Message(lang, "or")+" ")
		ys := youSaidStrand{Title: sec.Title}
		for k := range sd.Rows {
			q := youSaidQuestion{Text: sd.Rows[k].Statement.Text}
			if k < len(items) {
				q.Text = items[k].Text
			}
			if sh := shares[k][0]; !sh.Hidden && sh.Scored > 0 {
				q.Said = survey.Message(lang, "you-said-share", report.Percent(sh), words)
			}
			ys.Questions = append(ys.Questions, q)
		}
		out = append(out, ys)
	}
	return out
}
