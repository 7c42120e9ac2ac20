package server

import (
	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
)

// adminRoutes lists the administrators' routes: running rounds, erasure,
// retention, export, and accounts. Every one goes through staffOnly.
func (s *Server) adminRoutes(app *fiber.App) {
	rounds := auth.User.CanManageRounds
	app.Get("/staff/surveys", s.staffOnly(rounds, s.catalogue))
	app.Get("/staff/surveys/:survey/rounds/new", s.staffOnly(rounds, s.newRoundForm))
	app.Post("/staff/surveys/:survey/rounds/new", s.staffOnly(rounds, s.addRound))
	app.Get("/staff/surveys/:survey/rounds/:round", s.staffOnly(rounds, s.roundView))
	app.Post("/staff/surveys/:survey/rounds/:round/open", s.staffOnly(rounds, s.openRound))
	app.Get("/staff/surveys/:survey/rounds/:round/close", s.staffOnly(rounds, s.closeRoundForm))
	app.Post("/staff/surveys/:survey/rounds/:round/close", s.staffOnly(rounds, s.closeRound))
	app.Post("/staff/surveys/:survey/rounds/:round/schedule", s.staffOnly(rounds, s.scheduleRound))
	app.Post("/staff/surveys/:survey/rounds/:round/practice", s.staffOnly(rounds, s.practiceRound))
	app.Get("/staff/surveys/:survey/rounds/:round/delete-responses", s.staffOnly(rounds, s.deleteResponsesForm))
	app.Post("/staff/surveys/:survey/rounds/:round/delete-responses", s.staffOnly(rounds, s.deleteResponses))

	admin := auth.User.CanManageUsers
	app.Get("/staff/erasure", s.staffOnly(admin, s.erasureForm))
	app.Post("/staff/erasure", s.staffOnly(admin, s.erase))
	app.Get("/staff/export.jsonl", s.staffOnly(admin, s.export))
	app.Post("/staff/users/disable", s.staffOnly(admin, s.disableUser))

	app.Get("/staff/password", s.staffOnly(anyStaff, s.passwordForm))
	app.Post("/staff/password", s.staffOnly(anyStaff, s.changePassword))
}
