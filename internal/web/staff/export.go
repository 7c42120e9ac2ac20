package staff

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/session"
)

// Export records: one JSON object a line, each with its "type".
type (
	exportHeader struct {
		Type    string    `json:"type"` // "export"
		Format  int       `json:"format"`
		At      time.Time `json:"at"`
		Service string    `json:"service"`
	}
	exportSurvey struct {
		Type    string `json:"type"` // "survey"
		ID      string `json:"id"`
		Title   string `json:"title"`
		Version string `json:"version"`
		File    string `json:"file"`
	}
	exportRound struct {
		Type     string     `json:"type"` // "round"
		SurveyID string     `json:"survey_id"`
		Round    string     `json:"round"`
		Label    string     `json:"label"`
		Added    bool       `json:"added"`
		Open     bool       `json:"open"`
		OpenNow  bool       `json:"open_now"`
		Practice bool       `json:"practice"`
		OpensAt  *time.Time `json:"opens_at,omitempty"`
		ClosesAt *time.Time `json:"closes_at,omitempty"`
		// Reminders is the schedule staff set, absent while the round
		// follows its survey file's.
		Reminders *exportReminders `json:"reminders,omitempty"`
	}
	exportReminders struct {
		Days []int `json:"days"`
		Most int   `json:"most"`
	}
	exportResponse struct {
		Type          string            `json:"type"` // "response"
		Reference     string            `json:"reference"`
		SurveyID      string            `json:"survey_id"`
		Version       string            `json:"version"`
		Round         string            `json:"round"`
		Answers       map[string]string `json:"answers"`
		Submitted     time.Time         `json:"submitted"`
		SubmissionKey string            `json:"submission_key"`
		RespondentKey string            `json:"respondent_key,omitempty"`
		Invitation    string            `json:"invitation,omitempty"`
	}
	exportInvitation struct {
		Type          string    `json:"type"` // "invitation"
		Key           string    `json:"key"`
		SurveyID      string    `json:"survey_id"`
		Round         string    `json:"round"`
		Organisation  string    `json:"organisation,omitempty"`
		RespondentKey string    `json:"respondent_key"`
		Created       time.Time `json:"created"`
		Used          bool      `json:"used"`
	}
	// exportContact is one person of a contact list: personal data, kept
	// apart from responses, until the round's retention passes.
	exportContact struct {
		Type          string    `json:"type"` // "contact"
		ID            string    `json:"id"`
		SurveyID      string    `json:"survey_id"`
		Round         string    `json:"round"`
		Organisation  string    `json:"organisation"`
		Email         string    `json:"email"`
		Name          string    `json:"name,omitempty"`
		Language      string    `json:"language,omitempty"` // of the contact's emails; absent for English
		InvitationKey string    `json:"invitation"`
		OptedOut      bool      `json:"opted_out"`
		Created       time.Time `json:"created"`
	}
	// exportAccount has no password hash: an export is a copy of the data
	// for the Trust, not a way to sign in as its staff.
	exportAccount struct {
		Type         string    `json:"type"` // "account"
		ID           string    `json:"id"`
		Email        string    `json:"email"`
		Name         string    `json:"name"`
		Role         string    `json:"role"`
		Organisation string    `json:"organisation,omitempty"`
		Created      time.Time `json:"created"`
		Disabled     bool      `json:"disabled"`
	}
	exportAudit struct {
		Type   string    `json:"type"` // "audit"
		At     time.Time `json:"at"`
		Actor  string    `json:"actor"`
		Action string    `json:"action"`
		Target string    `json:"target"`
	}
	exportEnd struct {
		Type    string `json:"type"` // "end": the export is complete
		Records int    `json:"records"`
	}
)

func exportedReminders(r store.Reminders) *exportReminders {
	if !r.Set {
		return nil
	}
	return &exportReminders{Days: r.Days, Most: r.Most}
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// export streams everything the service holds as JSON Lines: surveys,
// rounds, responses, invitations, accounts (without password hashes) and
// the audit log, ending with an "end" record, so that an export cut short
// can be told from a whole one. Records are written as they are read from
// the store's cursors, so memory does not grow with the data. Not
// exported: drafts (unsent answers, deleted within days), sessions,
// counters and secrets.
func (s *Pages) export(c *fiber.Ctx) error {
	who := session.Of(c).Account.Email
	if err := s.sessions.AuditAs(c, who, "exported everything", ""); err != nil {
		return err
	}
	at := s.now().UTC()
	c.Set(fiber.HeaderContentType, "application/jsonl; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="iwtoolkit-export-`+at.Format("2006-01-02")+`.jsonl"`)
	c.Status(http.StatusOK)
	// The writer runs after the handler returns, when the request's Ctx
	// is no longer ours: it gets its own context.
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), web.LongTimeout)
		defer cancel()
		if err := s.writeExport(ctx, w, at); err != nil {
			s.log.Error("export failed", "actor", who, "error", err)
		}
	})
	return nil
}

// errExportWrite is a failure to write, most often the client leaving.
var errExportWrite = errors.New("server: export: write")

func (s *Pages) writeExport(ctx context.Context, w *bufio.Writer, at time.Time) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	write := func(v any) error {
		if err := enc.Encode(v); err != nil {
			return errors.Join(errExportWrite, err)
		}
		n++
		if w.Buffered() > 32<<10 {
			if err := w.Flush(); err != nil {
				return errors.Join(errExportWrite, err)
			}
		}
		return nil
	}
	if err := write(exportHeader{Type: "export", Format: 1, At: at, Service: "iwtoolkit"}); err != nil {
		return err
	}
	emitted := map[string]bool{}
	for _, d := range s.surveys.All() {
		if err := write(exportSurvey{Type: "survey", ID: d.ID, Title: d.Title, Version: d.Version, File: d.File}); err != nil {
			return err
		}
		rounds, err := rounds.Of(ctx, s.st, d, s.now())
		if err != nil {
			return err
		}
		for _, r := range rounds {
			emitted[d.ID+"/"+r.ID] = true
			st := r.State
			if err := write(exportRound{Type: "round", SurveyID: d.ID, Round: r.ID, Label: r.Label, Added: st.Added, Open: st.Open, OpenNow: r.Open,
				Practice: r.Practice, OpensAt: optionalTime(st.OpensAt), ClosesAt: optionalTime(st.ClosesAt), Reminders: exportedReminders(st.Reminders)}); err != nil {
				return err
			}
		}
	}
	// States of rounds of surveys no longer in the catalogue.
	states, err := s.st.RoundStates(ctx, "")
	if err != nil {
		return err
	}
	for _, st := range states {
		if emitted[st.SurveyID+"/"+st.Round] {
			continue
		}
		if err := write(exportRound{Type: "round", SurveyID: st.SurveyID, Round: st.Round, Label: st.Label, Added: st.Added, Open: st.Open,
			OpenNow: st.OpenAt(at), Practice: st.Practice, OpensAt: optionalTime(st.OpensAt), ClosesAt: optionalTime(st.ClosesAt),
			Reminders: exportedReminders(st.Reminders)}); err != nil {
			return err
		}
	}
	if err := s.st.AllResponses(ctx, func(r survey.Response) error {
		return write(exportResponse{Type: "response", Reference: r.Reference, SurveyID: r.SurveyID, Version: r.Version, Round: r.Round,
			Answers: r.Answers, Submitted: r.Submitted, SubmissionKey: r.SubmissionKey, RespondentKey: r.RespondentKey, Invitation: r.Invitation})
	}); err != nil {
		return err
	}
	if err := s.st.AllInvitations(ctx, func(inv survey.Invitation, used bool) error {
		return write(exportInvitation{Type: "invitation", Key: inv.Key, SurveyID: inv.SurveyID, Round: inv.Round, Organisation: inv.Organisation,
			RespondentKey: inv.RespondentKey, Created: inv.Created, Used: used})
	}); err != nil {
		return err
	}
	if err := s.st.AllContacts(ctx, func(c store.Contact) error {
		return write(exportContact{Type: "contact", ID: c.ID, SurveyID: c.SurveyID, Round: c.Round, Organisation: c.Organisation,
			Email: c.Email, Name: c.Name, Language: c.Language, InvitationKey: c.InvitationKey, OptedOut: c.OptedOut, Created: c.Created})
	}); err != nil {
		return err
	}
	accounts, err := s.st.Accounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		if err := write(exportAccount{Type: "account", ID: a.ID, Email: a.Email, Name: a.Name, Role: a.Role, Organisation: a.Organisation,
			Created: a.Created, Disabled: a.Disabled}); err != nil {
			return err
		}
	}
	if err := s.st.AllAudit(ctx, func(e store.AuditEntry) error {
		return write(exportAudit{Type: "audit", At: e.At, Actor: e.Actor, Action: e.Action, Target: e.Target})
	}); err != nil {
		return err
	}
	if err := write(exportEnd{Type: "end", Records: n + 1}); err != nil {
		return err
	}
	return w.Flush()
}
