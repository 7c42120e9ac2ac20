package reports

import (
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web/session"
)

// commentsPage lists a round's free-text answers, question by question, for
// the roles that may read free text.
type commentsPage struct {
	session.Page
	Survey    *survey.Definition
	Round     survey.Round
	Rounds    []survey.Round
	Responses int
	MinGroup  int
	Questions []commentList
}

type commentList struct {
	Question string
	Answers  []string
}

// comments shows every free-text answer to a round, with no reference, date
// or other answer beside it, once the round has at least the survey's
// minimum group of responses: a handful of comments from a small round could
// point at the people who wrote them.
func (s *Pages) comments(c *fiber.Ctx) error {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	rounds, err := rounds.Comparable(c.UserContext(), s.st, d, s.now())
	if err != nil {
		return err
	}
	if len(rounds) == 0 {
		return fiber.NewError(http.StatusNotFound, "This survey has no rounds to report on")
	}
	round := rounds[0]
	if id := c.Query("round"); id != "" {
		found := false
		for _, r := range rounds {
			if r.ID == id {
				round, found = r, true
			}
		}
		if !found {
			return fiber.NewError(http.StatusNotFound, "This survey has no round called "+id)
		}
	}
	p := commentsPage{Page: session.PageFor(c, d.Title+": comments"), Survey: d, Round: round, Rounds: rounds, MinGroup: d.GroupSize()}
	byQuestion := map[string][]string{}
	err = s.st.EachResponse(c.UserContext(), d.ID, []string{round.ID}, func(r survey.Response) error {
		p.Responses++
		for _, sec := range d.Sections {
			for _, q := range sec.Questions {
				if v := r.Answers[q.ID]; v != "" && q.Spec().Text {
					byQuestion[q.ID] = append(byQuestion[q.ID], v)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if p.Responses >= p.MinGroup {
		for _, sec := range d.Sections {
			for _, q := range sec.Questions {
				if q.Spec().Text {
					p.Questions = append(p.Questions, commentList{Question: q.Text, Answers: byQuestion[q.ID]})
				}
			}
		}
	}
	if err := s.sessions.Audit(c, "viewed comments", fmt.Sprintf("%s %s", d.ID, round.ID)); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff-comments.html", p)
}
