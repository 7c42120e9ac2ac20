// Package staff is the staff's own pages (/staff/...): signing in and out,
// the dashboard, accounts and passwords, the audit log, running rounds,
// invitations, the safeguarding review, erasure, retention and the export;
// and the health checks (/healthz, /readyz). Its pages are templates
// (web/templates/staff-*.html).
package staff

import (
	"iwtoolkit/internal/mail"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/publish"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/versions"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/session"
)

// Options are what the staff pages are made from.
type Options struct {
	Store     Store
	Surveys   *survey.Catalogue
	Log       *slog.Logger
	Now       func() time.Time
	BaseURL   string // the address people use, for the invitation links made
	Timeout   time.Duration
	Sessions  *session.Sessions
	Secrets   *web.Secrets
	Publisher *publish.Publisher
	Health    *web.Health
	Links     *mail.Links // contacts' invitation and opt-out links
	Sending   bool        // a mail server is set, so queued email goes out
	// Versions keeps the surveys served in step with the store's survey
	// versions: the survey versions pages publish through it.
	Versions *versions.Live
	// PublishApproval: a version is published only by an administrator
	// other than the one who made it.
	PublishApproval bool
}

// Pages are the staff pages.
type Pages struct {
	st        Store
	surveys   *survey.Catalogue
	log       *slog.Logger
	now       func() time.Time
	baseURL   string
	timeout   time.Duration
	sessions  *session.Sessions
	secrets   *web.Secrets
	publisher *publish.Publisher
	health    *web.Health
	pages     *web.Renderer
	links     *mail.Links
	sending   bool
	versions  *versions.Live
	approval  bool
}

// templates are the staff pages' templates.
var templates = []string{
	"staff-sign-in.html", "staff-home.html", "staff-audit.html", "staff-users.html", "staff-user-new.html",
	"staff-organisation.html", "staff-password.html", "staff-surveys.html", "staff-round.html", "staff-round-new.html",
	"staff-confirm.html", "staff-erasure.html", "staff-invitations.html", "staff-safeguarding.html", "staff-contacts.html",
	"staff-survey-versions.html", "staff-survey-version.html", "staff-survey-new.html",
}

// New makes the staff pages.
func New(o Options) (*Pages, error) {
	r, err := web.NewRenderer(templates, nil)
	if err != nil {
		return nil, err
	}
	return &Pages{st: o.Store, surveys: o.Surveys, log: o.Log, now: o.Now, baseURL: o.BaseURL, timeout: o.Timeout,
		sessions: o.Sessions, secrets: o.Secrets, publisher: o.Publisher, health: o.Health, pages: r, links: o.Links, sending: o.Sending,
		versions: o.Versions, approval: o.PublishApproval}, nil
}

func (s *Pages) render(c *fiber.Ctx, status int, name string, data web.Paged) error {
	return s.pages.Render(c, status, name, data)
}
