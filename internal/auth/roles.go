package auth

import "fmt"

// Role is what a member of staff is allowed to do.
type Role string

// The roles.
const (
	// Admin may do everything: accounts, rounds, audit log, erasure.
	Admin Role = "admin"
	// Analyst sees every report and export, raw responses included.
	Analyst Role = "analyst"
	// BoardViewer sees reports only: figures, never raw responses or
	// anything a respondent wrote.
	BoardViewer Role = "board-viewer"
	// Coordinator manages invitations and sees reports for one
	// organisation, their own.
	Coordinator Role = "coordinator"
)

// Roles lists the roles in the order pages offer them.
var Roles = []Role{Admin, Analyst, BoardViewer, Coordinator}

// ParseRole returns the role called s, or an error.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("auth: no role called %q", s)
}

// Label is the role's name as pages show it.
func (r Role) Label() string {
	switch r {
	case Admin:
		return "Administrator"
	case Analyst:
		return "Analyst"
	case BoardViewer:
		return "Board viewer"
	case Coordinator:
		return "Organisation co-ordinator"
	}
	return string(r)
}

// Hint says in a sentence what the role may do, for the add-user form.
func (r Role) Hint() string {
	switch r {
	case Admin:
		return "Everything, including accounts, rounds and the audit log."
	case Analyst:
		return "All reports and exports, including individual responses."
	case BoardViewer:
		return "Reports only: no individual responses, no free text."
	case Coordinator:
		return "Invitations and reports for their own organisation only."
	}
	return ""
}

// User is a signed-in member of staff, as far as permissions go. Every
// staff route asks it before doing anything; the zero User may do nothing.
type User struct {
	Role         Role
	Organisation string // for co-ordinators
}

// Valid checks that a co-ordinator has an organisation and nobody else
// has one, so that no account is scoped by accident or by mistake unscoped.
func (u User) Valid() error {
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	if (u.Role == Coordinator) != (u.Organisation != "") {
		if u.Role == Coordinator {
			return fmt.Errorf("auth: a co-ordinator needs an organisation")
		}
		return fmt.Errorf("auth: only a co-ordinator has an organisation")
	}
	return nil
}

// CanManageUsers: add and disable accounts.
func (u User) CanManageUsers() bool { return u.Role == Admin }

// CanSeeAudit: read the audit log.
func (u User) CanSeeAudit() bool { return u.Role == Admin }

// CanManageSurveys: upload survey versions as drafts, publish them, and
// start new surveys. Administrators only: what is published is what
// respondents, children among them, are asked and told (safeguarding
// notices, privacy wording), and administrators already run the rounds
// it is asked in. IWT_PUBLISH_APPROVAL=second-admin adds a second pair
// of eyes (docs/surveys.md, "Who may change a survey").
func (u User) CanManageSurveys() bool { return u.Role == Admin }

// CanManageRounds: create, open, close and schedule rounds.
func (u User) CanManageRounds() bool { return u.Role == Admin }

// CanPreviewSurveys: see every page of any survey as respondents would,
// whatever its rounds' state, storing nothing. Whoever manages surveys and
// their rounds may: they decide what is put before respondents.
func (u User) CanPreviewSurveys() bool { return u.CanManageRounds() }

// CanSeeReports: any signed-in role sees reports, within its scope.
func (u User) CanSeeReports() bool { return u.Valid() == nil }

// CanSeeRawResponses: individual responses and exports of them.
func (u User) CanSeeRawResponses() bool { return u.Role == Admin || u.Role == Analyst }

// CanSeeFreeText: comments respondents wrote.
func (u User) CanSeeFreeText() bool { return u.Role == Admin || u.Role == Analyst }

// CanSeeOrganisation: figures and accounts of one organisation. Everyone
// but a co-ordinator sees every organisation; a co-ordinator sees only
// their own.
func (u User) CanSeeOrganisation(org string) bool {
	switch u.Role {
	case Admin, Analyst, BoardViewer:
		return true
	case Coordinator:
		return org != "" && org == u.Organisation
	}
	return false
}

// CanSeeAllOrganisations: reports across the whole partnership, not
// filtered to one organisation.
func (u User) CanSeeAllOrganisations() bool {
	return u.Role == Admin || u.Role == Analyst || u.Role == BoardViewer
}

// CanInvite: make invitations and upload contact lists. Administrators,
// and co-ordinators for their own organisation (CanManageInvitations).
func (u User) CanInvite() bool {
	return u.Valid() == nil && (u.Role == Admin || u.Role == Coordinator)
}

// CanMakeLinks: make files of invitation links. Whoever holds a link can
// tell whether it has been used, and so who has answered: co-ordinators
// have the service email their contacts instead, and never hold links.
func (u User) CanMakeLinks() bool { return u.Valid() == nil && u.Role == Admin }

// CanManageInvitations: send and withdraw invitations for an organisation.
func (u User) CanManageInvitations(org string) bool {
	switch u.Role {
	case Admin:
		return true
	case Coordinator:
		return org != "" && org == u.Organisation
	}
	return false
}
