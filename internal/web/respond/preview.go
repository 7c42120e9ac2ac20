package respond

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

// Staff's preview of a survey: every page of any version of a survey, in
// any round whatever its state (closed, scheduled, open), exactly as
// respondents see it, under /staff/surveys/{survey}/preview/{version}/{round}.
// It is the respondents' own flow (the same handlers, forms and pages)
// in another venue: the survey comes from Definitions rather than the
// served files, no round is refused for being closed, every page carries
// a banner saying it is a preview, and the answers are kept in this
// instance's memory (previewStore), never in the store. Send "sends" into
// that memory too: no response, no draft, no count, no safeguarding alert
// and no audit entry is ever stored, and no round is opened.

// Definitions finds a version of a survey's definition for a preview.
// version is a survey.Definition.Version (the first 12 hex digits of the
// hash of its source) or "live", the version respondents are served. It
// answers an error wrapping store.ErrNotFound when there is no such survey
// or version; any other error is the store's.
//
// CatalogueDefinitions is the one made from the served survey files; the
// service uses versions.Live.Definition, which also finds the drafts and
// earlier versions in the store.
type Definitions func(ctx context.Context, surveyID, version string) (*survey.Definition, error)

// Live is the version of Definitions that respondents are served.
const Live = "live"

// CatalogueDefinitions finds versions among the served survey files:
// "live", or the hash of the file served now.
func CatalogueDefinitions(c *survey.Catalogue) Definitions {
	return func(_ context.Context, surveyID, version string) (*survey.Definition, error) {
		d, ok := c.Survey(surveyID)
		if !ok || version != Live && version != d.Version {
			return nil, fmt.Errorf("survey %s version %s: %w", surveyID, version, store.ErrNotFound)
		}
		return d, nil
	}
}

// The preview's banners: on every page, and on the confirmation.
const (
	previewBanner = "This is a preview: nothing you enter is kept or sent."
	previewDone   = "This was a preview: nothing was sent and nothing was kept. Respondents see this page once they have sent their answers."
)

// previewInvitation stands for an invitation in a preview's draft, so that
// a survey for invited people only is shown as an invited person sees it.
const previewInvitation = "preview"

// PreviewRound is the round a preview of a definition without rounds (a
// draft) is shown in.
const PreviewRound = "preview"

// PreviewOptions are what a preview is made from.
type PreviewOptions struct {
	Definitions Definitions
	// Rounds are the store's rounds, read only: a round staff added is
	// known by its label there.
	Rounds  rounds.States
	Log     *slog.Logger
	Now     func() time.Time
	Secure  bool
	BaseURL string
	Timeout time.Duration
	Health  *web.Health
	// Allow is who may preview; routes without it are refused.
	Allow auth.Permission
}

// Preview is staff's preview of every survey's pages.
type Preview struct {
	pages *Pages
	defs  Definitions
	allow auth.Permission
}

// PreviewPath is where the preview of a survey's version starts.
func PreviewPath(surveyID, version string) string {
	return "/staff/surveys/" + url.PathEscape(surveyID) + "/preview/" + url.PathEscape(version)
}

// NewPreview makes the preview.
func NewPreview(o PreviewOptions) (*Preview, error) {
	s, err := New(Options{
		Store: newPreviewStore(o.Rounds, previewLifetime, previewMost), Log: o.Log, Now: o.Now, Secure: o.Secure, BaseURL: o.BaseURL,
		DraftLifetime: previewLifetime, Timeout: o.Timeout, Health: o.Health,
		Secrets: web.NewSecrets(newMemorySecrets()),
	})
	if err != nil {
		return nil, err
	}
	p := &Preview{pages: s, defs: o.Definitions, allow: o.Allow}
	s.venue = venue{
		open: p.open,
		root: func(c *fiber.Ctx, d *survey.Definition, r survey.Round) string {
			return PreviewPath(d.ID, c.Params("version")) + "/" + url.PathEscape(r.ID)
		},
		langPath: "/staff/surveys", banner: previewBanner, done: previewDone, asInvited: true,
	}
	return p, nil
}

// Register adds the preview's routes: the respondents' flow under
// /staff/surveys/{survey}/preview/{version}/{round}, every one for staff
// whom Allow lets in, never cached nor indexed, with no limit on form
// posts (that is for the public). The invitation links and the list of
// surveys are not previewed: they are not a survey's pages.
func (p *Preview) Register(t *web.Routes) {
	s, allow := p.pages, p.allow
	t.Add("/staff/surveys/:survey/preview/:version", []fiber.Handler{noStore, noIndex, web.Deadline(s.timeout), s.failed},
		web.Get("", allow, p.first),
		web.Get("/:round", allow, s.inFlow(s.start)),
		web.Get("/:round/privacy", allow, s.answering(s.privacy)),
		web.Get("/:round/tasks", allow, s.answering(s.tasks)),
		web.Get("/:round/stop", allow, s.inFlow(s.stop)),
		web.Get("/:round/resume", allow, s.inFlow(s.resume)),
		web.Post("/:round/resume", allow, s.inFlow(s.resume)),
		web.Get("/:round/saved", allow, s.inFlow(s.saved)),
		web.Get("/:round/section/:section", allow, s.answering(s.sectionForm)),
		web.Post("/:round/section/:section", allow, s.answering(s.saveSection)),
		web.Get("/:round/check", allow, s.answering(s.checkAnswers)),
		web.Post("/:round/check", allow, s.answering(s.submit)),
		web.Get("/:round/done", allow, s.inFlow(s.done)),
	)
}

// noIndex keeps the preview out of search engines, should one ever reach
// it; its pages say so too (web.Page.Preview).
func noIndex(c *fiber.Ctx) error {
	c.Set("X-Robots-Tag", "noindex, nofollow")
	return c.Next()
}

// definition is the request's survey version: 404 for none, 422 for a
// version whose text has problems (it cannot be shown), saying them.
func (p *Preview) definition(c *fiber.Ctx) (*survey.Definition, error) {
	d, err := p.defs(c.UserContext(), c.Params("survey"), c.Params("version"))
	var problems survey.Problems
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, fiber.NewError(http.StatusNotFound, "There is no such survey or version to preview")
	case errors.As(err, &problems):
		return nil, &problem{status: http.StatusUnprocessableEntity, title: "This version of the survey has problems, so it cannot be previewed", detail: problems.Error()}
	}
	return d, err
}

// first leads to the preview of the survey's first round (its file's),
// or of PreviewRound for a definition without rounds, in the language
// asked for (?lang=), if any.
func (p *Preview) first(c *fiber.Ctx) error {
	d, err := p.definition(c)
	if err != nil {
		return err
	}
	round := PreviewRound
	if len(d.Rounds) > 0 {
		round = d.Rounds[0].ID
	}
	to := PreviewPath(d.ID, c.Params("version")) + "/" + url.PathEscape(round)
	if lang := c.Query("lang"); lang != "" {
		to += "?lang=" + url.QueryEscape(lang) // a preview in a language, from the surveys page
	}
	return c.Redirect(to, http.StatusSeeOther)
}

// open is the preview's venue.open: the version asked for, and the round
// whatever its state; a round staff added is read from the store.
func (p *Preview) open(c *fiber.Ctx) (*survey.Definition, survey.Round, error) {
	d, err := p.definition(c)
	if err != nil {
		return nil, survey.Round{}, err
	}
	id := c.Params("round")
	if id == PreviewRound && len(d.Rounds) == 0 {
		return d, survey.Round{ID: PreviewRound, Label: "Preview", Open: true}, nil
	}
	current, ok, err := rounds.One(c.UserContext(), p.pages.st, d, id, p.pages.now())
	if err != nil {
		return nil, survey.Round{}, err
	}
	if !ok {
		return nil, survey.Round{}, fiber.NewError(http.StatusNotFound, survey.Message(p.pages.language(c, d), "error-no-round"))
	}
	r := current.Round
	r.Open = true // previewed whatever its state, which stays as it is
	return d, r, nil
}
