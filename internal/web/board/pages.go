// Package board is the Board pack (/r/{survey}/pack): the printable pack
// of a comparison of two rounds, strand by strand, with the analysts'
// commentary and the actions agreed, and the forms behind them. Its
// figures come from the rounds' publications (package publish), as the
// report's do. Its pages are templates (web/templates/pack*.html).
package board

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/publish"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/session"
)

// Store is what the pack needs of a store: the rounds, and the
// commentary and actions (store.Board). Both stores have it.
type Store interface {
	rounds.States
	boardStore
}

// Options are what the pack is made from.
type Options struct {
	Store     Store
	Surveys   *survey.Catalogue
	Now       func() time.Time
	Timeout   time.Duration
	Sessions  *session.Sessions
	Publisher *publish.Publisher
	BaseURL   string // the address people use, printed on the pack
}

// Pages are the Board pack's pages.
type Pages struct {
	st        Store
	surveys   *survey.Catalogue
	now       func() time.Time
	timeout   time.Duration
	sessions  *session.Sessions
	publisher *publish.Publisher
	baseURL   string
	pages     *web.Renderer
}

// New makes the pack's pages.
func New(o Options) (*Pages, error) {
	r, err := web.NewRenderer([]string{"pack.html", "pack-commentary.html", "pack-action.html", "pack-target.html", "you-said.html"}, nil)
	if err != nil {
		return nil, err
	}
	return &Pages{st: o.Store, surveys: o.Surveys, now: o.Now, timeout: o.Timeout,
		sessions: o.Sessions, publisher: o.Publisher, baseURL: o.BaseURL, pages: r}, nil
}

// Register adds the pack's routes: the printable pack, which board
// viewers, analysts and administrators read, and the forms behind it,
// which analysts and administrators use. Every one has the staff
// deadline for the store.
func (s *Pages) Register(t *web.Routes) {
	t.Add("/r/:survey/pack", []fiber.Handler{web.Deadline(s.timeout)},
		web.Get("", auth.ReadBoardPack, s.boardPack),
		web.Get("/commentary/:round/:strand", auth.EditBoardPack, s.commentaryForm),
		web.Post("/commentary/:round/:strand", auth.EditBoardPack, s.saveCommentary),
		web.Get("/actions/new", auth.EditBoardPack, s.newActionForm),
		web.Post("/actions/new", auth.EditBoardPack, s.addAction),
		web.Get("/actions/:id", auth.EditBoardPack, s.actionForm),
		web.Post("/actions/:id", auth.EditBoardPack, s.updateAction),
		web.Get("/targets/:round/question/:id", auth.EditBoardPack, s.questionTargetForm),
		web.Post("/targets/:round/question/:id", auth.EditBoardPack, s.saveQuestionTarget),
		web.Get("/targets/:round/indicator/:id", auth.EditBoardPack, s.indicatorTargetForm),
		web.Post("/targets/:round/indicator/:id", auth.EditBoardPack, s.saveIndicatorTarget),
		web.Get("/targets/:round/:strand", auth.EditBoardPack, s.strandTargetForm),
		web.Post("/targets/:round/:strand", auth.EditBoardPack, s.saveStrandTarget),
		web.Get("/question-targets/:round", auth.EditBoardPack, s.pickQuestion),
	)
	// "You said, we did": public, for the people who answered.
	t.Add("/you-said", []fiber.Handler{web.Deadline(s.timeout)},
		web.Get("/:survey/:round", auth.Public, s.youSaid),
	)
}

func (s *Pages) render(c *fiber.Ctx, status int, name string, data web.Paged) error {
	return s.pages.Render(c, status, name, data)
}
