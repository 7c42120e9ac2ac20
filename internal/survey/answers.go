package survey

import (
	"fmt"
	"unicode/utf8"
)

// MaxCommentLength is the most characters a comment box takes.
const MaxCommentLength = 2000

// CommentField is the form field of a section's comment box. Every name and
// element id that pages make up has an underscore, which IDs in survey files
// cannot have, so that none can clash with a question's.
const CommentField = "section_comment"

// FieldError is a problem with one answer: shown in the error summary at the
// top of the page and beside the question, in words the respondent knows.
type FieldError struct {
	Field   string // the form field: a question or statement ID, or CommentField
	Message string
}

// CheckProfile checks the answers to the profile questions. Every value must
// be one of the question's options; required questions must be answered.
func (d *Definition) CheckProfile(values map[string]string) []FieldError {
	var errs []FieldError
	for _, q := range d.Profile {
		v := values[q.ID]
		switch {
		case v == "" && !q.Optional:
			errs = append(errs, FieldError{q.ID, fmt.Sprintf("Select an answer to ‘%s’", q.Label)})
		case v != "" && q.OptionLabel(v) == "":
			errs = append(errs, FieldError{q.ID, fmt.Sprintf("Select one of the answers given for ‘%s’", q.Label)})
		}
	}
	return errs
}

// CheckSection checks the answers to one section's statements and its
// comment, if it has a comment box. Every statement must be rated.
func (d *Definition) CheckSection(s *Section, answers map[string]string, comment string) []FieldError {
	var errs []FieldError
	scale := d.ScaleOf(s)
	for _, st := range s.Statements {
		v := answers[st.ID]
		switch {
		case v == "":
			errs = append(errs, FieldError{st.ID, fmt.Sprintf("Select a rating for ‘%s’", st.Text)})
		case !scale.Valid(v):
			errs = append(errs, FieldError{st.ID, fmt.Sprintf("Select one of the ratings given for ‘%s’", st.Text)})
		}
	}
	if n := utf8.RuneCountInString(comment); s.Comment != "" && n > MaxCommentLength {
		errs = append(errs, FieldError{CommentField, fmt.Sprintf("Your comment must be %d characters or fewer: it has %d", MaxCommentLength, n)})
	}
	return errs
}

// ProfilePage is the page of the profile questions in the respondent flow;
// no section may take its ID.
const ProfilePage = "profile"

// Pages are the steps of the respondent flow, in order: ProfilePage (when
// the survey has profile questions), then one per section by section ID.
func (d *Definition) Pages() []string {
	var pages []string
	if len(d.Profile) > 0 {
		pages = append(pages, ProfilePage)
	}
	for _, s := range d.Sections {
		pages = append(pages, s.ID)
	}
	return pages
}

// Incomplete returns the pages of a draft that still have problems, in
// flow order, so that the check-answers page can send the respondent back.
func (d *Definition) Incomplete(dr Draft) []string {
	var pages []string
	if len(d.Profile) > 0 && len(d.CheckProfile(dr.Profile)) > 0 {
		pages = append(pages, ProfilePage)
	}
	for _, s := range d.Sections {
		if len(d.CheckSection(s, dr.Answers, dr.Comments[s.ID])) > 0 {
			pages = append(pages, s.ID)
		}
	}
	return pages
}

// Response turns a complete draft into a response for the given round,
// keeping only the answers to questions the definition asks, so that
// nothing stray is stored.
func (d *Definition) Response(dr Draft) Response {
	r := Response{
		SurveyID:      d.ID,
		Version:       d.Version,
		Round:         dr.Round,
		Profile:       map[string]string{},
		Answers:       map[string]string{},
		Comments:      map[string]string{},
		SubmissionKey: dr.Key,
	}
	for _, q := range d.Profile {
		if v := dr.Profile[q.ID]; v != "" {
			r.Profile[q.ID] = v
		}
	}
	for _, s := range d.Sections {
		for _, st := range s.Statements {
			if v := dr.Answers[st.ID]; v != "" {
				r.Answers[st.ID] = v
			}
		}
		if c := dr.Comments[s.ID]; c != "" && s.Comment != "" {
			r.Comments[s.ID] = c
		}
	}
	return r
}
