package auth

// CanReadBoardPack: the printable Board pack of a survey, with its
// commentary and actions. It covers the whole partnership, so it is not
// for a co-ordinator, whose reports are their own organisation's.
func (u User) CanReadBoardPack() bool { return u.CanSeeAllOrganisations() }

// CanEditBoardPack: write the commentary on each strand and add and update
// the actions agreed. Board viewers read the pack but do not write it.
func (u User) CanEditBoardPack() bool { return u.Role == Admin || u.Role == Analyst }
