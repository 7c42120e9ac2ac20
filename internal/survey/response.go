package survey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Response is one submitted answer set: stored whole, once, and never changed.
// It holds no IP address, user agent or name.
type Response struct {
	Reference string // short code shown to the respondent on the confirmation page
	SurveyID  string
	Version   string // the definition version it was answered on
	Round     string
	// Answers are by question ID, or statement ID for a grid's rows: a
	// level's value, an option's value (a multiple choice's joined by
	// spaces), a number or text.
	Answers   map[string]string
	Submitted time.Time
	// SubmissionKey is the draft key the response came from. Stores keep it
	// unique so that a second submit of the same draft (a double click, a
	// refresh, a second tab) returns the first response instead of a copy.
	SubmissionKey string
	// RespondentKey is a pseudonym that pairs a respondent's responses in
	// different rounds, carried by their invitations; empty without one. It
	// says nothing about who the respondent is.
	RespondentKey string
	// Invitation is the key of the invitation the response came through.
	Invitation string
}

// Draft is a respondent's answers so far, kept in the store page by page so
// that any instance of the service can carry on the flow.
type Draft struct {
	Key      string // the hash of the token in the respondent's cookie
	SurveyID string
	Round    string
	Answers  map[string]string
	Updated  time.Time
	// Expires is when the store may delete the draft if it is not saved
	// again: abandoned drafts do not stay for ever.
	Expires time.Time
	// RespondentKey and Invitation come from the invitation that started
	// the draft, if any.
	RespondentKey string
	Invitation    string
}

// NewToken returns a random secret for a respondent's cookie and the key
// under which the store keeps the draft. Only the key is stored, so a copy
// of the database does not let anyone take over a draft.
func NewToken() (token, key string) {
	b := make([]byte, 20)
	rand.Read(b)
	token = hex.EncodeToString(b)
	return token, DraftKey(token)
}

// DraftKey is the store key for a token.
func DraftKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// referenceAlphabet is Crockford's base 32: no I, L, O or U, so a reference
// read out over the phone is not misheard.
const referenceAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewReference returns a reference such as "7KQ2M-9XPTR": 50 random bits,
// so that collisions stay rare at national scale (stores still reject them).
func NewReference() string {
	b := make([]byte, 10)
	rand.Read(b)
	out := make([]byte, 0, 11)
	for i, c := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, referenceAlphabet[c&31])
	}
	return string(out)
}

// NewResumeCode returns a code such as "7KQ2-M9XP-TRB4" that lets a
// respondent come back to a saved draft: 60 random bits, in Crockford's
// base 32 so that it can be read out and typed. It is used as the draft's
// token, so only its hash is stored.
func NewResumeCode() string {
	b := make([]byte, 12)
	rand.Read(b)
	out := make([]byte, 0, 14)
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, referenceAlphabet[c&31])
	}
	return string(out)
}

// NormalResumeCode is a resume code as typed, made canonical: upper case,
// spaces dropped, and the letters Crockford's alphabet leaves out read as
// the digits they look like. Anything else is returned as typed, to fail.
func NormalResumeCode(typed string) string {
	var out []byte
	for _, c := range []byte(strings.ToUpper(typed)) {
		switch c {
		case ' ', '-':
			continue
		case 'O':
			c = '0'
		case 'I', 'L':
			c = '1'
		}
		out = append(out, c)
		if len(out) == 4 || len(out) == 9 {
			out = append(out, '-')
		}
	}
	return string(out)
}

// IsResumeCode reports whether a draft token is a resume code (as
// NewResumeCode makes and NormalResumeCode writes them) rather than a
// browser's own random token.
func IsResumeCode(token string) bool {
	return len(token) == 14 && NormalResumeCode(token) == token
}
