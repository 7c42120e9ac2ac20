package survey

import "strings"

// The question types, as a survey file names them.
const (
	TypeScale    = "scale"           // one statement rated on a scale
	TypeGrid     = "grid"            // several statements rated on one scale
	TypeChoice   = "choice"          // one of several options
	TypeMultiple = "multiple-choice" // any of several options
	TypeYesNo    = "yes-no"
	TypeNumber   = "number"
	TypeText     = "text"      // a line of text
	TypeLongText = "long-text" // a box of text
)

// typeList is every question type's definition, in the order the
// toolkit lists them (QuestionTypes). A new type is its constant above
// and its entry here; every part of the toolkit that handles a type
// reads its TypeSpec. Besides: its example in package surveytest and in
// the workbook's example, its name in surveys/survey.schema.json (the
// type enum and the conditions of its way of answering), and its place in
// docs/surveys.md (its section and its workbook row). The tests that walk
// QuestionTypes fail until each is there (docs/architecture.md, "A
// question type is one definition", lists them).
var typeList = []TypeSpec{
	{Name: TypeScale, Rated: true, Field: "radios", Measure: "ordinal", Blank: "err-rate",
		XLSForm: XLSForm{Type: "select_one", Appearance: "likert", Says: "a rating on a scale"}},
	{Name: TypeGrid, Rated: true, Statements: true, Field: "radios", Measure: "ordinal", Blank: "err-grid-blank",
		XLSForm: XLSForm{Type: "begin_group", Appearance: "table-list", Says: "a grid"}},
	{Name: TypeChoice, Options: true, Breakdown: true, Field: "radios", Measure: "nominal", Blank: "err-choose",
		XLSForm: XLSForm{Type: "select_one"}},
	{Name: TypeMultiple, Options: true, Multiple: true, Field: "checkboxes", Blank: "err-choose",
		XLSForm: XLSForm{Type: "select_multiple"}},
	{Name: TypeYesNo, Options: true, Given: []string{"yes", "no"}, Breakdown: true, Field: "radios", Measure: "nominal", Blank: "err-choose",
		XLSForm: XLSForm{Type: "select_one", List: "yes_no"}},
	{Name: TypeNumber, Number: true, Field: "number", Measure: "scale", Blank: "err-required",
		XLSForm: XLSForm{Type: "integer"}},
	{Name: TypeText, Text: true, DefaultLength: DefaultTextLength, Field: "text", Blank: "err-required",
		XLSForm: XLSForm{Type: "text", Says: "a line"}},
	{Name: TypeLongText, Text: true, Long: true, DefaultLength: DefaultLongTextLength, Field: "textarea", Blank: "err-required",
		XLSForm: XLSForm{Type: "text", Appearance: "multiline", Says: "a box of text"}},
}

// QuestionTypes lists every question type.
var QuestionTypes = typeNames(typeList)

// Types are the definitions of the question types, by name.
var Types = typesByName(typeList)

func typeNames(specs []TypeSpec) []string {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	return names
}

func typesByName(specs []TypeSpec) map[string]TypeSpec {
	m := make(map[string]TypeSpec, len(specs))
	for _, s := range specs {
		m[s.Name] = s
	}
	return m
}

// TypeSpec is what one question type is, for every part of the toolkit
// that handles it: validation and the reading of answers here, the
// respondent's forms (package respond), the exports (package report), the
// made-up answers (package synthetic) and the workbook (package
// survey/workbook) read it instead of listing the types themselves.
type TypeSpec struct {
	Name string
	// A type is answered in exactly one of these ways: on the question's
	// scale (Rated), from its options (Options), with a whole number
	// (Number) or in free writing (Text).
	Rated, Options, Number, Text bool
	// Statements: the question is rows rated on one scale (a grid), each
	// with its own answer key.
	Statements bool
	// Multiple: any of the options, stored space-separated.
	Multiple bool
	// Given are the options the type has of itself, labelled by the
	// service's words of those names (yes-no's yes and no); a type with
	// Options but none given has the survey's options or preset.
	Given []string
	// Long: free writing of several lines, drawn with its limit, that no
	// condition can match reliably (show_if may not look at it).
	Long bool
	// DefaultLength is a text's limit in characters when the survey sets
	// no max_length.
	DefaultLength int
	// Breakdown: its answer can split reports (see Breakdowns).
	Breakdown bool
	// Field is the GOV.UK field it is drawn as (each statement's, for a
	// grid): "radios", "checkboxes", "number", "text" or "textarea", as
	// package web's Kind constants name them.
	Field string
	// Measure is the SPSS level of measurement of its answers: "ordinal"
	// (ratings), "nominal" (coded options) or "scale" (numbers); "" for
	// answers kept as text (multiple choices, text).
	Measure string
	// Blank is the message key of the error a required question left
	// unanswered gets, when its survey gives none of its own.
	Blank string
	// XLSForm is how a survey workbook writes the type and knows it again.
	XLSForm XLSForm
}

// XLSForm is a question type in a workbook's words (package
// survey/workbook reads them; it names no type itself).
type XLSForm struct {
	// Type is the word of the type column: select_one or select_multiple
	// (followed by a list's name: the question's, its scale's or a
	// preset's), integer or text; a grid is a begin_group inside a
	// section, its statements each the rating's word and its scale.
	Type string
	// List is the list the type column names for a type with options of
	// its own (Given): select_one yes_no, with no choices rows.
	List string
	// Appearance is the appearance column's word for the type, where one
	// type word is several types: multiline (a box of text, not a line),
	// table-list (a grid), likert (a rating; optional when read, as the
	// scale's list already says it). Blank for the rest.
	Appearance string
	// Says what the type is in the reader's advice on the appearance
	// column ("multiline for a box of text"); needed where Appearance
	// tells it from another type of its word.
	Says string
}

// typesWith are the fields of a question only some types have, and
// which: the loader's refusals of a field on another type name them from
// here, and a test holds surveys/survey.schema.json's conditions on the
// question's type to them (its "optional" is free writing's, which
// children's surveys must leave optional).
var typesWith = map[string]func(TypeSpec) bool{
	"scale":             func(s TypeSpec) bool { return s.Rated },
	"statements":        func(s TypeSpec) bool { return s.Statements },
	"options":           func(s TypeSpec) bool { return s.Options && s.Given == nil },
	"none":              func(s TypeSpec) bool { return s.Multiple },
	"min":               func(s TypeSpec) bool { return s.Number },
	"max_length":        func(s TypeSpec) bool { return s.Text },
	"optional":          func(s TypeSpec) bool { return s.Text },
	"prefer_not_to_say": func(s TypeSpec) bool { return s.Text || s.Number },
	"breakdown":         func(s TypeSpec) bool { return s.Breakdown },
}

// typesWithField are the types that have field, in QuestionTypes' order.
func typesWithField(field string) []string {
	var out []string
	for _, s := range typeList {
		if typesWith[field](s) {
			out = append(out, s.Name)
		}
	}
	return out
}

// namesOf says the types that have field: "choice and multiple-choice".
func namesOf(field string) string {
	names := typesWithField(field)
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// SpecOf returns the definition of a question type; a type the toolkit
// does not have (refused when a survey loads) has the zero TypeSpec.
func SpecOf(typ string) TypeSpec { return Types[typ] }

// Spec returns the definition of the question's type.
func (q *Question) Spec() TypeSpec { return Types[q.Type] }
