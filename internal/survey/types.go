package survey

// TypeSpec is what one question type is, for every part of the toolkit
// that handles it: validation and the reading of answers here, the
// respondent's forms (package respond), the exports (package report) and
// the made-up answers (package synthetic) read it instead of listing the
// types themselves. A new type is one entry of Types, its constant in
// QuestionTypes, and its example in package surveytest, whose survey the
// tests beside each of those parts walk.
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
}

// Types are the definitions of the question types, by name.
var Types = map[string]TypeSpec{
	TypeScale:    {Name: TypeScale, Rated: true, Field: "radios", Measure: "ordinal", Blank: "err-rate"},
	TypeGrid:     {Name: TypeGrid, Rated: true, Statements: true, Field: "radios", Measure: "ordinal", Blank: "err-grid-blank"},
	TypeChoice:   {Name: TypeChoice, Options: true, Breakdown: true, Field: "radios", Measure: "nominal", Blank: "err-choose"},
	TypeMultiple: {Name: TypeMultiple, Options: true, Multiple: true, Field: "checkboxes", Blank: "err-choose"},
	TypeYesNo:    {Name: TypeYesNo, Options: true, Given: []string{"yes", "no"}, Breakdown: true, Field: "radios", Measure: "nominal", Blank: "err-choose"},
	TypeNumber:   {Name: TypeNumber, Number: true, Field: "number", Measure: "scale", Blank: "err-required"},
	TypeText:     {Name: TypeText, Text: true, DefaultLength: DefaultTextLength, Field: "text", Blank: "err-required"},
	TypeLongText: {Name: TypeLongText, Text: true, Long: true, DefaultLength: DefaultLongTextLength, Field: "textarea", Blank: "err-required"},
}

// SpecOf returns the definition of a question type; a type the toolkit
// does not have (refused when a survey loads) has the zero TypeSpec.
func SpecOf(typ string) TypeSpec { return Types[typ] }

// Spec returns the definition of the question's type.
func (q *Question) Spec() TypeSpec { return Types[q.Type] }
