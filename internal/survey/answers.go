package survey

import (
	"iter"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FieldError is a problem with one answer: shown in the error summary at the
// top of the page and beside the question, in words the respondent knows.
// Field is the form field: a question's or a grid statement's ID.
type FieldError struct {
	Field   string
	Message string
}

// Shown returns the questions of a section asked given the answers so far:
// a question whose condition does not hold is neither asked nor required,
// and its answer is never stored.
func (s *Section) Shown(answers map[string]string) []*Question {
	var qs []*Question
	for _, q := range s.Questions {
		if q.ShowIf.Holds(answers) {
			qs = append(qs, q)
		}
	}
	return qs
}

// Keys returns the answer keys of a question: its ID, or its statements'.
func (q *Question) Keys() []string {
	if !q.Spec().Statements {
		return []string{q.ID}
	}
	keys := make([]string, len(q.Statements))
	for i, st := range q.Statements {
		keys[i] = st.ID
	}
	return keys
}

// keys yields the answer keys of a question, as Keys lists them, without
// making the list.
func (q *Question) keys() iter.Seq[string] {
	return func(yield func(string) bool) {
		if !slices.Contains(statementTypes, q.Type) { // !q.Spec().Statements
			yield(q.ID)
			return
		}
		for _, st := range q.Statements {
			if !yield(st.ID) {
				return
			}
		}
	}
}

// Collect reads a section's answers from a form, given values (the form's
// values for a field name), into a copy of answers: answers to the section's
// questions that are shown replace the old ones, and answers to questions
// not shown are dropped. Text loses surrounding space, and a browser's CR LF
// counts as one new line.
func (s *Section) Collect(answers map[string]string, values func(field string) []string) map[string]string {
	out := make(map[string]string, len(answers))
	for k, v := range answers {
		out[k] = v
	}
	for _, q := range s.Questions {
		for k := range q.keys() {
			delete(out, k)
		}
	}
	// Conditions inside a section look at answers given on this page too.
	for _, q := range s.Questions {
		if !q.ShowIf.Holds(out) {
			continue
		}
		spec := q.Spec()
		for k := range q.keys() {
			if v := read(&spec, k, values); v != "" {
				out[k] = v
			}
		}
	}
	return out
}

// Posted is what a form sent for a section's questions, read as Collect
// reads it but whatever the conditions say: the page as the respondent
// filled it in, to show it to them again when their earlier answers (which
// the conditions look at) cannot be read. It is for showing, never for
// storing: Collect decides what is kept.
func (s *Section) Posted(values func(field string) []string) map[string]string {
	out := map[string]string{}
	for _, q := range s.Questions {
		spec := q.Spec()
		for k := range q.keys() {
			if v := read(&spec, k, values); v != "" {
				out[k] = v
			}
		}
	}
	return out
}

// read is the answer a form sent for the key k of a question of the type
// spec. Text loses surrounding space, and a browser's CR LF counts as one
// new line.
func read(spec *TypeSpec, k string, values func(field string) []string) string {
	vs := values(k)
	var v string
	switch {
	case spec.Multiple:
		// Split as Check and the conditions will, so that blank values
		// cannot stand for an answer.
		var chosen []string
		for _, c := range vs {
			chosen = append(chosen, Choices(c)...)
		}
		v = strings.Join(slices.Compact(slices.Sorted(slices.Values(chosen))), " ")
	case len(vs) > 0:
		v = vs[0]
	}
	if spec.Text || spec.Number {
		v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
	}
	if spec.Number {
		if n, err := strconv.Atoi(strings.ReplaceAll(v, ",", "")); err == nil {
			v = strconv.Itoa(n) // "1,200" and "+5" are kept as 1200 and 5
		}
	}
	return v
}

// Check checks the answers to a section's shown questions, with messages in
// the given language. Answers that are not offered are refused, so a forged
// form cannot store them.
func (s *Section) Check(d *Definition, answers map[string]string, lang string) []FieldError {
	var errs []FieldError
	add := func(field, key string, args ...any) {
		errs = append(errs, FieldError{field, Message(lang, key, args...)})
	}
	for _, q := range s.Questions {
		if !q.ShowIf.Holds(answers) {
			continue // not shown
		}
		spec := q.Spec()
		if spec.Statements {
			scale := d.ScaleOf(q)
			blank := !slices.ContainsFunc(q.Statements, func(st *Statement) bool { return answers[st.ID] != "" })
			if blank && !q.Optional {
				// One message for a grid left blank, at its first
				// statement, not one for every statement in red.
				if q.Error != "" {
					errs = append(errs, FieldError{q.Statements[0].ID, q.Error})
				} else {
					add(q.Statements[0].ID, spec.Blank, q.Text)
				}
				continue
			}
			for _, st := range q.Statements {
				switch v := answers[st.ID]; {
				case v == "" && !q.Optional:
					add(st.ID, "err-rate", st.Text)
				case v != "" && !scale.Valid(v) && !(q.PreferNotToSay && v == PreferNotToSay):
					add(st.ID, "err-not-offered", st.Text)
				}
			}
			continue
		}
		v := answers[q.ID]
		if v == "" {
			if !q.Optional && q.Error != "" {
				errs = append(errs, FieldError{q.ID, q.Error})
			} else if !q.Optional {
				add(q.ID, spec.Blank, q.Text)
			}
			continue
		}
		if q.PreferNotToSay && v == PreferNotToSay {
			continue
		}
		switch {
		case spec.Rated:
			if !d.ScaleOf(q).Valid(v) {
				add(q.ID, "err-not-offered", q.Text)
			}
		case spec.Options && !spec.Multiple:
			if q.OptionLabel(v) == "" {
				add(q.ID, "err-not-offered", q.Text)
			}
		case spec.Multiple:
			chosen := Choices(v)
			for _, c := range chosen {
				if q.OptionLabel(c) == "" && !(c == NoneOfThese && q.None != "") {
					add(q.ID, "err-not-offered", q.Text)
					break
				}
			}
			if len(chosen) > 1 && slices.Contains(chosen, NoneOfThese) {
				add(q.ID, "err-none-and-other", q.Text, q.None)
			}
		case spec.Number:
			n, err := strconv.Atoi(strings.ReplaceAll(v, ",", ""))
			switch {
			case err != nil:
				add(q.ID, "err-number", q.Text)
			case q.Min != nil && n < *q.Min:
				add(q.ID, "err-min", q.Text, *q.Min)
			case q.Max != nil && n > *q.Max:
				add(q.ID, "err-max", q.Text, *q.Max)
			}
		case spec.Text:
			if n := utf8.RuneCountInString(v); n > q.MaxLength {
				add(q.ID, "err-length", q.Text, q.MaxLength, n)
			} else if q.pattern != nil && !q.pattern.MatchString(v) {
				if q.PatternMessage != "" {
					errs = append(errs, FieldError{q.ID, q.PatternMessage})
				} else {
					add(q.ID, "err-pattern", q.Text)
				}
			}
		}
	}
	return errs
}

// Asked keeps the answers to questions the respondent is asked, working
// through the survey in order: a condition holds only on answers that were
// themselves asked, so an answer left behind when an earlier answer changed
// neither shows nor hides anything, and is dropped.
func (d *Definition) Asked(answers map[string]string) map[string]string {
	out := make(map[string]string, len(answers))
	for _, s := range d.Sections {
		if !s.ShowIf.Holds(out) {
			continue
		}
		for _, q := range s.Questions {
			if !q.ShowIf.Holds(out) {
				continue
			}
			for k := range q.keys() {
				if v, ok := answers[k]; ok && v != "" {
					out[k] = v
				}
			}
		}
	}
	return out
}

// Pages are the sections a respondent is asked, in order, given the
// answers so far: a section whose condition does not hold is skipped.
func (d *Definition) Pages(answers map[string]string) []*Section {
	asked := d.Asked(answers)
	var pages []*Section
	for _, s := range d.Sections {
		if s.ShowIf.Holds(asked) {
			pages = append(pages, s)
		}
	}
	return pages
}

// Incomplete returns the sections of a draft that still have problems, in
// flow order, so that the check-answers page can send the respondent back.
func (d *Definition) Incomplete(dr Draft) []*Section {
	var pages []*Section
	asked := d.Asked(dr.Answers)
	for _, s := range d.Pages(asked) {
		if len(s.Check(d, asked, "en")) > 0 {
			pages = append(pages, s)
		}
	}
	return pages
}

// Response turns a complete draft into a response for the given round,
// keeping only the answers to questions the respondent was asked, so that
// nothing stray or hidden is stored.
func (d *Definition) Response(dr Draft) Response {
	r := Response{
		SurveyID:      d.ID,
		Version:       d.Version,
		Round:         dr.Round,
		Answers:       map[string]string{},
		SubmissionKey: dr.Key,
		RespondentKey: dr.RespondentKey,
		Invitation:    dr.Invitation,
	}
	for k, v := range d.Asked(dr.Answers) {
		r.Answers[k] = v
	}
	return r
}

// Flagged returns the IDs of a response's free-text answers that contain
// one of the survey's safeguarding words, for a person to review. It judges
// nothing: it only points staff at answers to read.
func (d *Definition) Flagged(r Response) []string {
	if len(d.SafeguardingWords) == 0 {
		return nil
	}
	var ids []string
	for _, s := range d.Sections {
		for _, q := range s.Questions {
			if !q.Spec().Text {
				continue
			}
			words := strings.FieldsFunc(strings.ToLower(r.Answers[q.ID]), func(c rune) bool {
				return !(c == '\'' || c == '-' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c > 127)
			})
			text := " " + strings.Join(words, " ") + " "
			for _, w := range d.SafeguardingWords {
				if strings.Contains(text, " "+strings.ToLower(strings.TrimSpace(w))+" ") {
					ids = append(ids, q.ID)
					break
				}
			}
		}
	}
	return ids
}
