package staff

import (
	"bytes"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/publish"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web/session"
)

// MaxInvitations is the most invitations one batch makes.
const MaxInvitations = 2000

// invitationsPage is the invitations page: a list of surveys, or one
// survey's form and completion tables.
type invitationsPage struct {
	session.Page
	invitee
	Surveys  []*survey.Definition
	Survey   *survey.Definition
	MinGroup int // responses per organisation below this are not shown
	// The form as entered, besides the invitee's fields.
	How, Count string
	Completion []publish.CompletionRound
	Max        int
	// Links: the reader may make links (administrators). Whoever holds a
	// link can tell whether it has been used, so co-ordinators have the
	// service email them instead (contact lists), and never hold them.
	Links bool
}

func (s *Pages) invitationsPage(c *fiber.Ctx) error {
	p, err := s.invitationsPageFor(c, c.Query("survey"))
	if err != nil {
		return err
	}
	p.How = "new"
	return s.render(c, http.StatusOK, "staff-invitations.html", p)
}

// invitationsPageFor builds the page for a survey (none: the list). The
// organisations offered and the completion shown come from the session:
// a co-ordinator sees their own organisation only, whatever the address.
func (s *Pages) invitationsPageFor(c *fiber.Ctx, surveyID string) (invitationsPage, error) {
	who := session.Of(c).User
	p := invitationsPage{Page: session.PageFor(c, "Invitations"), Surveys: s.invitable(who), Max: MaxInvitations,
		Links: who.CanMakeLinks()}
	if surveyID == "" {
		return p, nil
	}
	d, err := s.invitableSurvey(who, surveyID)
	if err != nil {
		return p, err
	}
	now, err := rounds.Of(c.UserContext(), s.st, d, s.now())
	if err != nil {
		return p, err
	}
	p.invitee = inviteeFor(who, d, now, s.surveys)
	p.Survey, p.Back, p.MinGroup = d, "/staff/invitations", d.GroupSize()
	p.Title = "Invitations: " + d.Title
	for _, r := range p.Rounds {
		pub, err := s.publisher.Round(c.UserContext(), d, r.ID)
		if err != nil {
			return invitationsPage{}, err
		}
		rows, err := publish.Completion(c.UserContext(), s.st, d, r.ID, pub)
		if err != nil {
			return p, err
		}
		rc := publish.CompletionRound{Round: r, Open: pub.Open}
		for _, row := range rows {
			if who.CanSeeOrganisation(row.Organisation) {
				rc.Rows = append(rc.Rows, row)
			}
		}
		p.Completion = append(p.Completion, rc)
	}
	return p, nil
}

// createInvitations makes a batch of invitations and answers with the CSV
// of their links: the only place the links' tokens ever appear. The store
// keeps only each token's hash, and the CSV is not kept, so it can be
// downloaded once.
func (s *Pages) createInvitations(c *fiber.Ctx) error {
	who := session.Of(c)
	p, err := s.invitationsPageFor(c, c.FormValue("survey"))
	if err != nil {
		return err
	}
	if p.Survey == nil {
		return c.Redirect("/staff/invitations", http.StatusSeeOther)
	}
	d := p.Survey
	p.read(c)
	p.How, p.Count = c.FormValue("how"), strings.TrimSpace(c.FormValue("count"))
	add := func(field, message string) {
		p.Errors = append(p.Errors, survey.FieldError{Field: field, Message: message})
	}
	round, err := p.check(c.UserContext(), s.st, d, who.User, s.now(), add)
	if err != nil {
		return err
	}
	var keys []string // respondent keys, new or followed on
	switch p.How {
	case "new":
		n, err := strconv.Atoi(p.Count)
		if err != nil || n < 1 || n > MaxInvitations {
			add("count", fmt.Sprintf("Enter a number of invitations from 1 to %d", MaxInvitations))
			break
		}
		for range n {
			keys = append(keys, newRespondentKey())
		}
	case "follow-on":
		if !p.earlierRound() {
			add("from_round", "Select an earlier round to follow on from, not the round you are inviting people to")
			break
		}
		if len(p.Errors) > 0 {
			break
		}
		err := s.st.Invitations(c.UserContext(), d.ID, p.FromRound, func(inv survey.Invitation) error {
			if inv.Organisation == p.Organisation && !slices.Contains(keys, inv.RespondentKey) {
				keys = append(keys, inv.RespondentKey)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			add("from_round", "There are no invitations for this organisation in that round to follow on from")
			break
		}
		// Someone who has a link to this round already gets no second
		// one, so that one person cannot answer a follow-up twice.
		had := len(keys)
		err = s.st.Invitations(c.UserContext(), d.ID, round.ID, func(inv survey.Invitation) error {
			keys = slices.DeleteFunc(keys, func(k string) bool { return k == inv.RespondentKey })
			return nil
		})
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			add("from_round", fmt.Sprintf("All %d people from that round have an invitation to this round already", had))
		}
	default:
		add("how", "Select new invitations or a follow-on from an earlier round")
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "staff-invitations.html", p)
	}

	now := s.now()
	invs := make([]survey.Invitation, len(keys))
	var buf bytes.Buffer
	buf.WriteString("\uFEFF") // a byte order mark, so that Excel reads UTF-8
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	w.Write([]string{"person", "link"})
	for i, k := range keys {
		token, key := survey.NewToken()
		invs[i] = survey.Invitation{Key: key, SurveyID: d.ID, Round: round.ID, Organisation: p.Organisation, RespondentKey: k, Created: now}
		w.Write([]string{report.SafeCell(invs[i].Person()), report.SafeCell(s.baseURL + "/i/" + token)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := s.st.CreateInvitations(c.UserContext(), invs); err != nil {
		return err
	}
	target := fmt.Sprintf("%s %s, %s: %d", d.ID, round.ID, p.Organisation, len(invs))
	if p.How == "follow-on" {
		target += " following on from " + p.FromRound
	}
	if err := s.sessions.Audit(c, "created invitations", target); err != nil {
		return err
	}
	name := fileSafe.ReplaceAllString(fmt.Sprintf("invitations-%s-%s-%s-%s", d.ID, round.ID, p.Organisation, now.Format("20060102-1504")), "-")
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
	return c.Status(http.StatusOK).Send(buf.Bytes())
}

var fileSafe = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// newRespondentKey is a random pseudonym for a person invited: 128 bits
// from crypto/rand, in hex.
func newRespondentKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
