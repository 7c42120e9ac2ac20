// Package surveytest gives tests a survey with one question of every
// question type (survey.QuestionTypes), with an answer each type accepts
// and one it refuses: the tests beside each part that handles a type
// (validation, the respondent's forms, the exports, the made-up answers)
// walk it, so that a type one of them lacks fails a test. A new type
// needs its question here.
package surveytest

import (
	"fmt"
	"slices"

	"iwtoolkit/internal/survey"
)

// Example is a question of one type, by its ID in EveryType's survey,
// with an answer it accepts and one it refuses (stored as the answer to
// its first key: a grid's first statement).
type Example struct {
	Question string
	Valid    string
	Invalid  string
}

// Examples are the questions of EveryType by question type.
var Examples = map[string]Example{
	survey.TypeScale:    {Question: "q-scale", Valid: "2", Invalid: "9"},
	survey.TypeGrid:     {Question: "q-grid", Valid: "3", Invalid: "0"},
	survey.TypeChoice:   {Question: "q-choice", Valid: "b", Invalid: "z"},
	survey.TypeMultiple: {Question: "q-multiple", Valid: "a c", Invalid: "a z"},
	survey.TypeYesNo:    {Question: "q-yes-no", Valid: "yes", Invalid: "maybe"},
	survey.TypeNumber:   {Question: "q-number", Valid: "12", Invalid: "many"},
	survey.TypeText:     {Question: "q-text", Valid: "A line", Invalid: "A line far too long for its ten characters"},
	survey.TypeLongText: {Question: "q-long-text", Valid: "Some words", Invalid: "Some words far too long for its twenty characters"},
}

const everyType = `title: Every type
audience: staff
introduction: A survey with every type of question.
how_answers_are_used: Only group results are reported.
rounds:
  - {id: baseline, label: Baseline, open: true}
scales:
  agree:
    levels:
      - {value: 1, label: Disagree}
      - {value: 2, label: Not sure}
      - {value: 3, label: Agree}
sections:
  - id: all
    title: Every type
    questions:
      - {id: q-scale, type: scale, text: Rate this, scale: agree}
      - id: q-grid
        type: grid
        text: Rate these
        scale: agree
        statements:
          - {id: q-grid-1, text: One}
          - {id: q-grid-2, text: Two}
      - id: q-choice
        type: choice
        text: Choose one
        options: [{value: a, label: A}, {value: b, label: B}]
      - id: q-multiple
        type: multiple-choice
        text: Choose any
        options: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}]
        none: None of these
      - {id: q-yes-no, type: yes-no, text: Yes or no}
      - {id: q-number, type: number, text: How many, min: 0, max: 100}
      - {id: q-text, type: text, text: A line, max_length: 10}
      - {id: q-long-text, type: long-text, text: Some words, max_length: 20, optional: true}
`

// EveryType parses the survey with one question of every type. It fails
// when a type has no example, or the survey does not load.
func EveryType() (*survey.Definition, error) {
	for _, t := range survey.QuestionTypes {
		if _, ok := Examples[t]; !ok {
			return nil, fmt.Errorf("question type %q has no example in package surveytest", t)
		}
	}
	d, problems := survey.Parse("every-type.yaml", []byte(everyType))
	if len(problems) > 0 {
		return nil, problems
	}
	for t, ex := range Examples {
		q, _, ok := d.Question(ex.Question)
		if !ok || q.Type != t || !slices.Contains(survey.QuestionTypes, t) {
			return nil, fmt.Errorf("example %q of type %q is not in the survey, or not of that type", ex.Question, t)
		}
	}
	return d, nil
}
