package staff

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web/session"
)

type usersPage struct {
	session.Page
	Accounts []store.Account
	Added    string // the email of an account just added, for the banner
}

func (s *Pages) users(c *fiber.Ctx) error {
	accounts, err := s.st.Accounts(c.UserContext())
	if err != nil {
		return err
	}
	p := usersPage{Page: session.PageFor(c, "Users"), Accounts: accounts}
	if added := store.NormaliseEmail(c.Query("added")); added != "" {
		for _, a := range accounts {
			if a.Email == added {
				p.Added = a.Email
			}
		}
	}
	return s.render(c, http.StatusOK, "staff-users.html", p)
}

// newUserPage is the add-user form with what was entered.
type newUserPage struct {
	session.Page
	Email, Name, Role, Organisation string
	Roles                           []auth.Role
}

func (s *Pages) newUserForm(c *fiber.Ctx) error {
	p := newUserPage{Page: session.PageFor(c, "Add a user"), Roles: auth.Roles}
	p.Back = "/staff/users"
	return s.render(c, http.StatusOK, "staff-user-new.html", p)
}

// createUser adds an account. The admin sets a first password and tells
// the person it by a separate channel; accounts cannot yet change their
// own password.
func (s *Pages) createUser(c *fiber.Ctx) error {
	p := newUserPage{
		Page:         session.PageFor(c, "Add a user"),
		Email:        strings.TrimSpace(c.FormValue("email")),
		Name:         strings.TrimSpace(c.FormValue("name")),
		Role:         c.FormValue("role"),
		Organisation: strings.TrimSpace(c.FormValue("organisation")),
		Roles:        auth.Roles,
	}
	p.Back = "/staff/users"
	password := c.FormValue("password")
	email := store.NormaliseEmail(p.Email)
	role, roleErr := auth.ParseRole(p.Role)
	org := p.Organisation
	if role != auth.Coordinator {
		org = "" // the organisation box only applies to co-ordinators
	}
	add := func(field, message string) {
		p.Errors = append(p.Errors, survey.FieldError{Field: field, Message: message})
	}
	if !strings.Contains(email, "@") || strings.ContainsAny(email, " \t") || len(email) > 254 {
		add("email", "Enter an email address in the correct format, like name@example.org")
	}
	if p.Name == "" || len(p.Name) > 200 {
		add("name", "Enter the person's name, in 200 characters or fewer")
	}
	if roleErr != nil {
		add("role", "Select a role")
	} else if role == auth.Coordinator && (org == "" || len(org) > 200) {
		add("organisation", "Enter the co-ordinator's organisation, in 200 characters or fewer")
	}
	if err := auth.CheckPassword(password); err != nil {
		add("password", "Enter a first password of at least 12 characters")
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "staff-user-new.html", p)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	a := store.Account{ID: auth.NewToken(), Email: email, Name: p.Name, Role: string(role), Organisation: org, PasswordHash: hash, Created: s.now()}
	err = s.st.CreateAccount(c.UserContext(), a)
	if errors.Is(err, store.ErrConflict) {
		add("email", "There is already an account with this email address")
		return s.render(c, http.StatusUnprocessableEntity, "staff-user-new.html", p)
	}
	if err != nil {
		return err
	}
	target := a.Email + " (" + a.Role
	if org != "" {
		target += ", " + org
	}
	if err := s.sessions.Audit(c, "created user", target+")"); err != nil {
		return err
	}
	return c.Redirect("/staff/users?added="+url.QueryEscape(a.Email), http.StatusSeeOther)
}

// organisationPage lists the staff of one organisation. staffOnly has
// already checked that the signed-in person may see it.
type organisationPage struct {
	session.Page
	Organisation string
	Accounts     []store.Account
}

func (s *Pages) organisation(c *fiber.Ctx) error {
	org := session.OrgParam(c)
	all, err := s.st.Accounts(c.UserContext())
	if err != nil {
		return err
	}
	p := organisationPage{Page: session.PageFor(c, org), Organisation: org}
	for _, a := range all {
		if a.Organisation == org {
			p.Accounts = append(p.Accounts, a)
		}
	}
	return s.render(c, http.StatusOK, "staff-organisation.html", p)
}
