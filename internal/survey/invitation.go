package survey

import "time"

// Invitation is a single-use link to one round of a survey, made in bulk
// for an organisation. The link carries a random token; the store keeps
// only its hash (Key). RespondentKey is a pseudonym that the invitations of
// one person share across rounds, so that a follow-up response can be
// paired with the same person's baseline without anyone's name being kept.
type Invitation struct {
	Key           string // DraftKey of the link's token
	SurveyID      string
	Round         string
	Organisation  string // the option value of the survey's organisation question, if any
	RespondentKey string
	Created       time.Time
}

// Person is the short pseudonym a co-ordinator sees for an invitation's
// respondent: the same in every round, and meaningless to anyone else.
func (inv Invitation) Person() string {
	if len(inv.RespondentKey) < 10 {
		return inv.RespondentKey
	}
	return inv.RespondentKey[:10]
}

// Completion is how many invitations of an organisation were made and how
// many became responses. It says nothing about which.
type Completion struct {
	Organisation       string
	Invited, Responded int
}
