package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Limits of one contact list.
const (
	MaxContacts     = 2000    // rows, as one batch of invitations
	MaxContactBytes = 1 << 20 // the file
	maxAddress      = 254
	maxName         = 200
)

// Store is what sending needs of a store.
type Store interface {
	store.Contacts
	rounds.States
	SecretStore
	Invitation(ctx context.Context, key string) (inv survey.Invitation, used bool, err error)
	Audit(ctx context.Context, e store.AuditEntry) error
}

// Row is one person of a contact list.
type Row struct {
	Line     int
	Email    string // normalised
	Name     string
	Language string // a code of survey.Languages, or empty for English
}

// RowError is what is wrong with one line of a contact list.
type RowError struct {
	Line    int
	Message string
}

func (e RowError) String() string { return fmt.Sprintf("line %d: %s", e.Line, e.Message) }

// ErrBadList says a contact list has problems, listed in the RowErrors.
var ErrBadList = errors.New("the contact list has problems")

// ParseContacts reads a contact list: CSV in UTF-8, with or without a byte
// order mark (as Excel saves it), a header row with an "email" column and
// optionally "name" and "language" columns (a language's code or name:
// cy, Welsh, Cymraeg). It returns every row, or every problem with its
// line number: a list with any problem is refused whole.
func ParseContacts(r io.Reader) ([]Row, []RowError) {
	b, err := io.ReadAll(io.LimitReader(r, MaxContactBytes+1))
	if err != nil {
		return nil, []RowError{{0, "the file could not be read"}}
	}
	if len(b) > MaxContactBytes {
		return nil, []RowError{{0, fmt.Sprintf("the file is larger than %d KB: split it into smaller lists", MaxContactBytes>>10)}}
	}
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	if !utf8.Valid(b) {
		return nil, []RowError{{0, "the file is not UTF-8 text: in Excel, save it as \"CSV UTF-8\""}}
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, []RowError{{1, "the file has no header row with an email column"}}
	}
	emailCol, nameCol, langCol := -1, -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "email", "email address":
			emailCol = i
		case "name":
			nameCol = i
		case "language":
			langCol = i
		}
	}
	if emailCol < 0 {
		return nil, []RowError{{1, "the header row has no column called email"}}
	}
	var rows []Row
	var problems []RowError
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// FieldPos is only for a record read without error.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			msg := "this line is not valid CSV (check its quotes)"
			if errors.Is(err, csv.ErrQuote) {
				msg = "a quote (\") opened on this line is never closed, so the rest of the file would be one name: close it, or take it out"
			}
			problems = append(problems, RowError{line, msg})
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rows)+len(problems) >= MaxContacts {
			problems = append(problems, RowError{line, fmt.Sprintf("a list may have at most %d people: split it", MaxContacts)})
			break
		}
		field := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		// A line break or tab in a name is a spreadsheet's wrapping, not
		// part of the name: the email greets the person on one line.
		email, name := field(emailCol), strings.Join(strings.Fields(field(nameCol)), " ")
		if email == "" && name == "" && strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue // an empty row, as spreadsheets leave at the end
		}
		lang, langOK := languageCode(field(langCol))
		switch {
		case email == "":
			problems = append(problems, RowError{line, "there is no email address"})
			continue
		case !validAddress(email):
			problems = append(problems, RowError{line, "this is not an email address"})
			continue
		case strings.ContainsFunc(name, unicode.IsControl):
			problems = append(problems, RowError{line, "the name has a control character, which cannot go in an email: retype the name"})
			continue
		case utf8.RuneCountInString(name) > maxName:
			problems = append(problems, RowError{line, fmt.Sprintf("the name is longer than %d characters", maxName)})
			continue
		case !langOK:
			problems = append(problems, RowError{line, fmt.Sprintf("the service has no language %q: use %s, or leave it empty for English", truncate(field(langCol), 40), survey.LanguageList(allLanguages(), "or"))})
			continue
		}
		email = store.NormaliseEmail(email)
		if first, ok := seen[email]; ok {
			problems = append(problems, RowError{line, fmt.Sprintf("the same email address as line %d", first)})
			continue
		}
		seen[email] = line
		rows = append(rows, Row{Line: line, Email: email, Name: name, Language: lang})
	}
	if len(problems) > 0 {
		return nil, problems
	}
	if len(rows) == 0 {
		return nil, []RowError{{2, "the list has nobody in it"}}
	}
	return rows, nil
}

// languageCode reads a contact's language (survey.LanguageCode); empty
// and English are "".
func languageCode(v string) (string, bool) {
	if v == "" {
		return "", true
	}
	code, ok := survey.LanguageCode(v)
	if code == "en" {
		code = ""
	}
	return code, ok
}

// allLanguages are the codes of every language the service has words in.
func allLanguages() []string {
	codes := make([]string, len(survey.Languages))
	for i, l := range survey.Languages {
		codes[i] = l.Value
	}
	return codes
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// validAddress accepts a bare address such as jo.bloggs@example.org: no
// display name, no spaces, a dot in the domain.
func validAddress(s string) bool {
	if len(s) > maxAddress || strings.ContainsAny(s, " \t<>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// Import is one contact list for a round and organisation.
type Import struct {
	Survey       *survey.Definition
	Round        string
	Organisation string
	// FromRound, when set, gives each person who was on that round's list
	// (same organisation, same address) the same respondent key, so that
	// their follow-up pairs with their baseline.
	FromRound string
	Rows      []Row
	Now       time.Time
}

// Add stores the list: one contact, one invitation and one queued
// invitation email per row, all or none. A person already on the round's
// list is a problem of the row, like a duplicate.
func (im Import) Add(ctx context.Context, st Store, links *Links) ([]RowError, error) {
	r, ok, err := rounds.One(ctx, st, im.Survey, im.Round, im.Now)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("mail: %s has no round %q", im.Survey.ID, im.Round)
	}
	if !r.Open {
		return []RowError{{0, "the round is closed: open it before sending invitations"}}, nil
	}
	already := map[string]bool{}
	if err := st.RoundContacts(ctx, im.Survey.ID, im.Round, func(c store.ContactState) error {
		already[c.Email] = true
		return nil
	}); err != nil {
		return nil, err
	}
	earlier := map[string]string{} // email → respondent key, from FromRound's list
	if im.FromRound != "" {
		err := st.RoundContacts(ctx, im.Survey.ID, im.FromRound, func(c store.ContactState) error {
			if c.Organisation != im.Organisation {
				return nil
			}
			inv, _, err := st.Invitation(ctx, c.InvitationKey)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			earlier[c.Email] = inv.RespondentKey
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	var problems []RowError
	cs := make([]store.Contact, 0, len(im.Rows))
	invs := make([]survey.Invitation, 0, len(im.Rows))
	msgs := make([]store.MailMessage, 0, len(im.Rows))
	for _, row := range im.Rows {
		if already[row.Email] {
			problems = append(problems, RowError{row.Line, "this person is on the round's contact list already"})
			continue
		}
		if row.Language != "" && !slices.Contains(im.Survey.Languages, row.Language) {
			problems = append(problems, RowError{row.Line, fmt.Sprintf("%s is not written in %s: use %s, or leave the language empty for English",
				im.Survey.Title, survey.LanguageName(row.Language), survey.LanguageList(im.Survey.Languages, "or"))})
			continue
		}
		id := randomHex(16)
		_, key, err := links.Token(ctx, id)
		if err != nil {
			return nil, err
		}
		person := earlier[row.Email]
		if person == "" {
			person = randomHex(16)
		}
		cs = append(cs, store.Contact{ID: id, SurveyID: im.Survey.ID, Round: im.Round, Organisation: im.Organisation,
			Email: row.Email, Name: row.Name, Language: row.Language, InvitationKey: key, Created: im.Now})
		invs = append(invs, survey.Invitation{Key: key, SurveyID: im.Survey.ID, Round: im.Round, Organisation: im.Organisation, RespondentKey: person, Created: im.Now})
		msgs = append(msgs, store.MailMessage{ID: store.MailID(id, 0), ContactID: id, SurveyID: im.Survey.ID, Round: im.Round,
			Organisation: im.Organisation, Kind: store.MailInvitation, NextAttempt: im.Now, Created: im.Now})
	}
	if len(problems) > 0 {
		return problems, nil
	}
	return nil, st.AddContacts(ctx, cs, invs, msgs)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
