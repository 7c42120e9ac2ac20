package workbook

import (
	"fmt"
	"slices"
	"strings"

	"iwtoolkit/internal/survey"
)

// The workbook knows question types only by their XLSForm words in
// survey.Types: it names no type itself.

// specs are the definitions of the question types, in survey.QuestionTypes' order.
func specs() []survey.TypeSpec {
	out := make([]survey.TypeSpec, len(survey.QuestionTypes))
	for i, t := range survey.QuestionTypes {
		out[i] = survey.SpecOf(t)
	}
	return out
}

// find returns the first type of specs that is, and whether there is one.
func find(specs []survey.TypeSpec, is func(survey.TypeSpec) bool) (survey.TypeSpec, bool) {
	for _, s := range specs {
		if is(s) {
			return s, true
		}
	}
	return survey.TypeSpec{}, false
}

// gridType is the type a begin_group inside a section is (a grid).
func gridType() survey.TypeSpec {
	s, _ := find(specs(), func(s survey.TypeSpec) bool { return s.Statements })
	return s
}

// ratingType is the type of one statement rated on a scale, whose word a
// grid's statements are written with.
func ratingType() survey.TypeSpec {
	s, _ := find(specs(), func(s survey.TypeSpec) bool { return s.Rated && !s.Statements })
	return s
}

// written are the question types, grids apart, whose type column says
// word.
func written(word string) []survey.TypeSpec {
	var out []survey.TypeSpec
	for _, s := range specs() {
		if !s.Statements && s.XLSForm.Type == word {
			out = append(out, s)
		}
	}
	return out
}

// listed: the types' word is followed by a list's name (select_one LIST).
func listed(s survey.TypeSpec) bool { return !s.Statements && (s.Rated || s.Options) }

// words are what the type column can say, for suggestions:
// begin_group, end_group and each type's word.
func words() []string {
	out := []string{"begin_group", "end_group"}
	for _, s := range specs() {
		if !s.Statements && !slices.Contains(out, s.XLSForm.Type) {
			out = append(out, s.XLSForm.Type)
		}
	}
	return out
}

// wordsHint says what the type column can say: begin_group, end_group,
// select_one LIST, …, or text (appearance multiline for a box of text).
func wordsHint() string {
	ws := words()
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w
		of := written(w)
		if len(of) > 0 && listed(of[0]) {
			parts[i] += " LIST"
		} else if notes := appearances(of, "%s for %s"); notes != "" {
			parts[i] += " (appearance " + notes + ")"
		}
	}
	return strings.Join(parts[:len(parts)-1], ", ") + ", or " + parts[len(parts)-1]
}

// appearances says each type's appearance word of specs, in format
// (word, what the type is), joined by "; ".
func appearances(specs []survey.TypeSpec, format string) string {
	var notes []string
	for _, s := range specs {
		if s.XLSForm.Appearance != "" {
			notes = append(notes, fmt.Sprintf(format, s.XLSForm.Appearance, s.XLSForm.Says))
		}
	}
	return strings.Join(notes, "; ")
}

// ownLists are the lists types have of their own (yes_no).
func ownLists() []string {
	var out []string
	for _, s := range specs() {
		if s.XLSForm.List != "" {
			out = append(out, s.XLSForm.List)
		}
	}
	return out
}
