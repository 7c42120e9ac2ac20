package staff

import (
	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/web/session"
)

// adminRoutes lists the administrators' routes: running rounds, erasure,
// retention, export, and accounts. Every one goes through sessions.Only.
func (s *Pages) adminRoutes(g fiber.Router) {
	rounds := auth.User.CanManageRounds
	g.Get("/surveys", s.sessions.Only(rounds, s.catalogue))
	g.Get("/surveys/:survey/rounds/new", s.sessions.Only(rounds, s.newRoundForm))
	g.Post("/surveys/:survey/rounds/new", s.sessions.Only(rounds, s.addRound))
	g.Get("/surveys/:survey/rounds/:round", s.sessions.Only(rounds, s.roundView))
	g.Post("/surveys/:survey/rounds/:round/open", s.sessions.Only(rounds, s.openRound))
	g.Get("/surveys/:survey/rounds/:round/close", s.sessions.Only(rounds, s.closeRoundForm))
	g.Post("/surveys/:survey/rounds/:round/close", s.sessions.Only(rounds, s.closeRound))
	g.Post("/surveys/:survey/rounds/:round/schedule", s.sessions.Only(rounds, s.scheduleRound))
	g.Post("/surveys/:survey/rounds/:round/practice", s.sessions.Only(rounds, s.practiceRound))
	g.Post("/surveys/:survey/rounds/:round/reminders", s.sessions.Only(rounds, s.setReminders))
	g.Get("/surveys/:survey/rounds/:round/delete-responses", s.sessions.Only(rounds, s.deleteResponsesForm))
	g.Post("/surveys/:survey/rounds/:round/delete-responses", s.sessions.Only(rounds, s.deleteResponses))

	admin := auth.User.CanManageUsers
	g.Get("/erasure", s.sessions.Only(admin, s.erasureForm))
	g.Post("/erasure", s.sessions.Only(admin, s.erase))
	g.Get("/export.jsonl", s.sessions.Only(admin, s.export))
	g.Post("/users/disable", s.sessions.Only(admin, s.disableUser))

	g.Get("/password", s.sessions.Only(session.AnyStaff, s.passwordForm))
	g.Post("/password", s.sessions.Only(session.AnyStaff, s.changePassword))
}
