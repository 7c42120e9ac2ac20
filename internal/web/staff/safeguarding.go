package staff

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web/session"
)

// safeguardingPage lists the flagged free-text answers of the surveys for
// children and young people.
type safeguardingPage struct {
	session.Page
	Flagged []flaggedAnswer
}

// flaggedAnswer is one free-text answer that contains a safeguarding word.
type flaggedAnswer struct {
	Survey, Round, Reference string
	Submitted                time.Time
	Question, Answer         string
}

// safeguarding shows, to staff who may read free text, every answer in a
// children's or young people's survey that Definition.Flagged points at.
// It reads every response of those surveys on each view, which is fine at
// the size of a consultation; the view is in the audit log, because it
// shows what children wrote.
func (s *Pages) safeguarding(c *fiber.Ctx) error {
	p := safeguardingPage{Page: session.PageFor(c, "Safeguarding review")}
	for _, d := range s.surveys.All() {
		if !d.ForYoungPeople() || len(d.SafeguardingWords) == 0 {
			continue
		}
		err := s.st.EachResponse(c.UserContext(), d.ID, nil, func(r survey.Response) error {
			for _, id := range d.Flagged(r) {
				f := flaggedAnswer{Survey: d.Title, Round: r.Round, Reference: r.Reference, Submitted: r.Submitted, Question: id, Answer: r.Answers[id]}
				if round, ok := d.Round(r.Round); ok {
					f.Round = round.Label
				}
				if q, _, ok := d.Question(id); ok {
					f.Question = q.Text
				}
				p.Flagged = append(p.Flagged, f)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	// Who read which flagged answer: the references shown, so that an
	// alert (mail.Alert, audited by reference) can be followed to its
	// reading.
	target := fmt.Sprintf("%d flagged answers", len(p.Flagged))
	sep := ": "
	for i, f := range p.Flagged {
		if i == 0 || f.Reference != p.Flagged[i-1].Reference { // a response's answers come together
			target += sep + f.Reference
			sep = ", "
		}
	}
	if err := s.sessions.Audit(c, "viewed safeguarding review", target); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff-safeguarding.html", p)
}

// Date is the day the response was sent, as pages show dates.
func (f flaggedAnswer) Date() string { return f.Submitted.Format("2 January 2006") }
