package staff

import (
	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/mail"
	"iwtoolkit/internal/web"
)

// MaxUploadBytes bounds the body of the one form that takes a file, the
// contact list upload: the list (mail.MaxContactBytes) and the form
// around it.
const MaxUploadBytes = mail.MaxContactBytes + web.MaxBodyBytes

// Health registers the health checks: first, before any middleware that
// needs the store or a form token.
func (s *Pages) Health(t *web.Routes) {
	t.Add("", nil,
		web.Get("/healthz", auth.Public, s.healthz),
		web.Get("/readyz", auth.Public, s.readyz),
	)
}

// Register adds the staff routes, under /staff with the staff deadline
// for the store. This is the staff pages' one table of routes: a page is
// added here with the permission it needs (auth), and every route but
// signing in asks for a signed-in member of staff.
func (s *Pages) Register(t *web.Routes) {
	t.Add("/staff", []fiber.Handler{web.Deadline(s.timeout)},
		web.Get("/sign-in", auth.Public, s.signInForm),
		web.Post("/sign-in", auth.Public, s.signIn),
		web.Post("/sign-out", auth.Staff, s.signOut),
		web.Get("", auth.Staff, s.dashboard),
		web.Get("/password", auth.Staff, s.passwordForm),
		web.Post("/password", auth.Staff, s.changePassword),
		// :org is checked against the user's scope by the guard.
		web.Get("/organisations/:org", auth.Staff, s.organisation),

		web.Get("/audit", auth.SeeAudit, s.auditLog),
		web.Get("/users", auth.ManageUsers, s.users),
		web.Get("/users/new", auth.ManageUsers, s.newUserForm),
		web.Post("/users/new", auth.ManageUsers, s.createUser),
		web.Post("/users/disable", auth.ManageUsers, s.disableUser),
		web.Get("/erasure", auth.ManageUsers, s.erasureForm),
		web.Post("/erasure", auth.ManageUsers, s.erase),
		web.Get("/export.jsonl", auth.ManageUsers, s.export),

		web.Get("/surveys", auth.ManageRounds, s.catalogue),
		// Survey versions: surveyversions.go.
		web.Get("/surveys/template.xlsx", auth.ManageSurveys, s.templateWorkbook),
		web.Get("/surveys/example.xlsx", auth.ManageSurveys, s.exampleWorkbook),
		web.Get("/surveys/new", auth.ManageSurveys, s.newSurveyForm),
		web.Post("/surveys/new", auth.ManageSurveys, s.newSurvey),
		web.Post("/surveys/new/upload", auth.ManageSurveys, s.newSurveyUpload).Upload(MaxSurveyUploadBytes),
		web.Get("/surveys/:survey/versions", auth.ManageSurveys, s.surveyVersions),
		web.Post("/surveys/:survey/versions", auth.ManageSurveys, s.uploadSurvey).Upload(MaxSurveyUploadBytes),
		web.Get("/surveys/:survey/versions/:version", auth.ManageSurveys, s.surveyVersion),
		web.Get("/surveys/:survey/versions/:version/workbook.xlsx", auth.ManageSurveys, s.versionWorkbook),
		web.Post("/surveys/:survey/versions/:version/publish", auth.ManageSurveys, s.publishSurvey),
		web.Get("/surveys/:survey/rounds/new", auth.ManageRounds, s.newRoundForm),
		web.Post("/surveys/:survey/rounds/new", auth.ManageRounds, s.addRound),
		web.Get("/surveys/:survey/rounds/:round", auth.ManageRounds, s.roundView),
		web.Get("/surveys/:survey/rounds/:round/qr.png", auth.ManageRounds, s.roundQR),
		web.Post("/surveys/:survey/rounds/:round/open", auth.ManageRounds, s.openRound),
		web.Get("/surveys/:survey/rounds/:round/close", auth.ManageRounds, s.closeRoundForm),
		web.Post("/surveys/:survey/rounds/:round/close", auth.ManageRounds, s.closeRound),
		web.Post("/surveys/:survey/rounds/:round/schedule", auth.ManageRounds, s.scheduleRound),
		web.Post("/surveys/:survey/rounds/:round/practice", auth.ManageRounds, s.practiceRound),
		web.Post("/surveys/:survey/rounds/:round/reminders", auth.ManageRounds, s.setReminders),
		web.Get("/surveys/:survey/rounds/:round/delete-responses", auth.ManageRounds, s.deleteResponsesForm),
		web.Post("/surveys/:survey/rounds/:round/delete-responses", auth.ManageRounds, s.deleteResponses),

		web.Get("/invitations", auth.Invite, s.invitationsPage),
		web.Post("/invitations", auth.MakeLinks, s.createInvitations),
		web.Get("/contacts", auth.Invite, s.contactsPage),
		web.Post("/contacts", auth.Invite, s.uploadContacts).Upload(MaxUploadBytes),
		web.Post("/contacts/remind", auth.Invite, s.remind),
		web.Post("/contacts/delete", auth.ManageUsers, s.deleteContacts),
		web.Get("/safeguarding", auth.SeeFreeText, s.safeguarding),
	)
}
