package staff

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web/session"
)

// Disabling an account, and changing one's own password.

// accountFor finds the account named by the form's "account" field.
func (s *Pages) accountFor(c *fiber.Ctx) (store.Account, error) {
	id := c.FormValue("account")
	if id == "" {
		return store.Account{}, fiber.NewError(http.StatusBadRequest, "No account was chosen")
	}
	return s.st.Account(c.UserContext(), id)
}

// disableUser disables (or, with enable=yes, enables again) an account,
// after a confirmation. A disabled account cannot sign in, and its
// sessions stop working at once: every request checks the account.
// Administrators cannot disable themselves, so that there is always one
// who can undo it.
func (s *Pages) disableUser(c *fiber.Ctx) error {
	a, err := s.accountFor(c)
	if err != nil {
		return err
	}
	who := session.Of(c)
	enable := c.FormValue("enable") == "yes"
	if a.ID == who.Account.ID && !enable {
		return fiber.NewError(http.StatusConflict, "You cannot disable your own account")
	}
	if c.FormValue("confirm") != "yes" {
		p := confirmPage{
			Heading: "Disable the account of " + a.Name + "?",
			Warning: "They will be signed out and will not be able to sign in until an administrator enables the account again.",
			Details: []confirmDetail{{"Email", a.Email}, {"Role", auth.Role(a.Role).Label()}},
			Action:  "/staff/users/disable", Button: "Disable the account", Cancel: "/staff/users",
			Fields: map[string]string{"account": a.ID},
		}
		if enable {
			p.Heading, p.Warning, p.Button = "Enable the account of "+a.Name+"?", "They will be able to sign in again with their password.", "Enable the account"
			p.Fields["enable"] = "yes"
		}
		return s.confirm(c, p)
	}
	if err := s.st.SetAccountDisabled(c.UserContext(), a.ID, !enable); err != nil {
		return err
	}
	if !enable {
		// Its sessions end now, so enabling it later does not revive them.
		if err := s.st.DeleteOtherSessions(c.UserContext(), a.ID, ""); err != nil {
			return err
		}
	}
	action := "disabled user"
	if enable {
		action = "enabled user"
	}
	if err := s.sessions.Audit(c, action, a.Email); err != nil {
		return err
	}
	return c.Redirect("/staff/users", http.StatusSeeOther)
}

type passwordPage struct {
	session.Page
	Changed bool
}

func (s *Pages) passwordForm(c *fiber.Ctx) error {
	p := passwordPage{Page: session.PageFor(c, "Change your password"), Changed: c.Query("changed") == "yes"}
	p.Back = "/staff"
	return s.render(c, http.StatusOK, "staff-password.html", p)
}

// changePassword changes the signed-in person's own password. It asks for
// the current one first, so that someone at an unlocked screen cannot take
// the account over; wrong guesses count towards the sign-in throttle.
func (s *Pages) changePassword(c *fiber.Ctx) error {
	who := session.Of(c)
	p := passwordPage{Page: session.PageFor(c, "Change your password")}
	p.Back = "/staff"
	current, next, again := c.FormValue("current"), c.FormValue("password"), c.FormValue("confirm_password")
	add := func(field, message string) {
		p.Errors = append(p.Errors, survey.FieldError{Field: field, Message: message})
	}
	th, err := s.throttleFor(c, who.Account.Email)
	if err != nil {
		return err
	}
	refused, err := s.refused(c, th)
	if err != nil {
		return err
	}
	ok := false
	if !refused && current != "" {
		ok, err = auth.VerifyPassword(who.Account.PasswordHash, current)
		if err != nil {
			return fmt.Errorf("server: change password %s: %w", who.Account.ID, err)
		}
	}
	switch {
	case refused:
		add("current", "There have been too many wrong passwords. Wait 30 minutes, then try again.")
	case current == "":
		add("current", "Enter your current password")
	case !ok:
		if err := errors.Join(s.failed(c, th), s.sessions.Audit(c, "password change refused: wrong current password", "")); err != nil {
			return err
		}
		add("current", "Your current password is not correct")
	}
	if err := auth.CheckPassword(next); err != nil {
		add("password", "Enter a new password of at least 12 characters")
	} else if next != again {
		add("confirm_password", "Enter the same new password twice")
	} else if next == current {
		add("password", "Enter a new password that is not the same as your current one")
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "staff-password.html", p)
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		return err
	}
	if err := s.st.SetPasswordHash(c.UserContext(), who.Account.ID, hash); err != nil {
		return err
	}
	// Anyone signed in with the old password is signed out.
	if err := s.st.DeleteOtherSessions(c.UserContext(), who.Account.ID, auth.TokenHash(c.Cookies(session.Cookie))); err != nil {
		return err
	}
	if err := s.sessions.Audit(c, "changed own password", ""); err != nil {
		return err
	}
	return c.Redirect("/staff/password?changed=yes", http.StatusSeeOther)
}
