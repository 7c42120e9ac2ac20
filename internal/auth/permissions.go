package auth

// Permission is who may use a route. Every route of the service is
// registered with one (web.Route), and the route refuses anyone it does
// not allow before its handler runs. The rules themselves are User's
// CanX methods: a Permission names one for the route table.
type Permission struct {
	name  string
	allow func(User) bool // nil for Public
}

// The permissions routes are registered with.
var (
	// Public routes are for anyone, signed in or not: the respondents'
	// pages, signing in, the notices, the health checks.
	Public = Permission{name: "anyone"}
	// Staff is every signed-in member of staff, whatever their role.
	Staff = Permission{"any member of staff", func(u User) bool { return u.Valid() == nil }}

	ManageUsers     = Permission{"manage users", User.CanManageUsers}
	SeeAudit        = Permission{"see the audit log", User.CanSeeAudit}
	ManageRounds    = Permission{"manage rounds", User.CanManageRounds}
	ManageSurveys   = Permission{"make and publish survey versions", User.CanManageSurveys}
	PreviewSurveys  = Permission{"preview surveys", User.CanPreviewSurveys}
	Invite          = Permission{"make invitations", User.CanInvite}
	MakeLinks       = Permission{"make files of invitation links", User.CanMakeLinks}
	SeeReports      = Permission{"see reports", User.CanSeeReports}
	SeeRawResponses = Permission{"see individual responses", User.CanSeeRawResponses}
	SeeFreeText     = Permission{"see free text", User.CanSeeFreeText}
	ReadBoardPack   = Permission{"read the Board pack", User.CanReadBoardPack}
	EditBoardPack   = Permission{"edit the Board pack", User.CanEditBoardPack}
)

// Allows says whether u may use a route with this permission: anyone for
// Public, and nobody for the zero Permission.
func (p Permission) Allows(u User) bool {
	switch {
	case p.IsZero():
		return false
	case p.allow == nil:
		return true
	}
	return p.allow(u)
}

// IsPublic says whether the route is for anyone, signed in or not.
func (p Permission) IsPublic() bool { return !p.IsZero() && p.allow == nil }

// IsZero says whether no permission was given: a route without one is
// refused at start-up.
func (p Permission) IsZero() bool { return p.name == "" }

// String names the permission, for errors and test failures.
func (p Permission) String() string { return p.name }
