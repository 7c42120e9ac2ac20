package survey

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mini(t *testing.T) *Definition {
	t.Helper()
	data, err := os.ReadFile("testdata/valid/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, ps := Parse("mini.yaml", data)
	if ps != nil {
		t.Fatal(ps)
	}
	return d
}

// form makes the values function Collect reads, from a map of fields.
func form(fields map[string][]string) func(string) []string {
	return func(k string) []string { return fields[k] }
}

func fields(errs []FieldError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field+": "+e.Message)
	}
	return out
}

// Each question type is checked with a valid answer, an invalid one and a
// missing one, through the same Collect and Check the pages use.
func TestQuestionTypes(t *testing.T) {
	d := mini(t)
	about, _ := d.Section("about-you")
	caf, _ := d.Section("caf")
	more, _ := d.Section("more")
	leading, _ := d.Section("leading")
	tests := []struct {
		name    string
		section *Section
		prior   map[string]string
		form    map[string][]string
		lang    string
		want    []string // the errors
		stored  map[string]string
	}{
		{"choice valid", about, nil, map[string][]string{"sector": {"health"}, "role": {"frontline"}}, "en", nil,
			map[string]string{"sector": "health", "role": "frontline"}},
		{"choice missing and forged", about, nil, map[string][]string{"role": {"pilot"}}, "en",
			[]string{"sector: Select an answer to ‘Which sector do you work in?’", "role: Select one of the answers given for ‘Your role’"},
			map[string]string{"role": "pilot"}},
		{"choice missing in Polish", about, nil, map[string][]string{"role": {"frontline"}}, "pl",
			[]string{"sector: Wybierz odpowiedź na pytanie „Which sector do you work in?”"}, map[string]string{"role": "frontline"}},
		{"number shown for managers, in bounds", about, nil, map[string][]string{"sector": {"health"}, "role": {"leader-manager"}, "team-size": {" 1,200 "}}, "en",
			[]string{"team-size: ‘How many people do you manage?’ must be 500 or less"},
			map[string]string{"sector": "health", "role": "leader-manager", "team-size": "1200"}},
		{"number not a number", about, nil, map[string][]string{"sector": {"health"}, "role": {"leader-manager"}, "team-size": {"ten"}}, "en",
			[]string{"team-size: Enter ‘How many people do you manage?’ as a whole number, like 12"},
			map[string]string{"sector": "health", "role": "leader-manager", "team-size": "ten"}},
		{"hidden number is not stored", about, map[string]string{"team-size": "4"}, map[string][]string{"sector": {"health"}, "role": {"frontline"}, "team-size": {"3"}}, "en", nil,
			map[string]string{"sector": "health", "role": "frontline"}},
		{"grid and long text", caf, nil, map[string][]string{"caf-1": {"3"}, "caf-2": {"dont-know"}, "caf-comment": {"  line one\r\nline two  "}}, "en", nil,
			map[string]string{"caf-1": "3", "caf-2": "dont-know", "caf-comment": "line one\nline two"}},
		{"grid missing and forged", caf, nil, map[string][]string{"caf-1": {"9"}}, "en",
			[]string{"caf-1: Select one of the answers given for ‘I know when to start a CAF.’", "caf-2: Select a rating for ‘I know who to ask for help with a CAF.’"},
			map[string]string{"caf-1": "9"}},
		{"scale missing", leading, map[string]string{"role": "leader-manager"}, nil, "en",
			[]string{"lead-1: Select a rating for ‘My services plan together.’"}, map[string]string{"role": "leader-manager"}},
		{"yes-no, multiple choice, text with pattern", more, nil,
			map[string][]string{"trained": {"prefer-not-to-say"}, "topics": {"sharing", "caf", "caf"}, "postcode": {"N17"}}, "en", nil,
			map[string]string{"trained": "prefer-not-to-say", "topics": "caf sharing", "postcode": "N17"}},
		{"none of these with others, bad pattern", more, nil,
			map[string][]string{"trained": {"maybe"}, "topics": {"none", "caf"}, "postcode": {"n17 6"}}, "en",
			[]string{
				"trained: Select one of the answers given for ‘Have you had safeguarding training?’",
				"topics: For ‘Which topics would help?’, select “None of these” or other answers, not both",
				"postcode: ‘First half of your work postcode’ must be 4 characters or fewer: it has 5",
			},
			map[string]string{"trained": "maybe", "topics": "caf none", "postcode": "n17 6"}},
		{"pattern message from the file", more, nil,
			map[string][]string{"trained": {"no"}, "topics": {"none"}, "postcode": {"17N"}}, "en",
			[]string{"postcode: Enter the first half of a postcode, like N17"},
			map[string]string{"trained": "no", "topics": "none", "postcode": "17N"}},
		{"multiple choice missing, optional text empty", more, nil, map[string][]string{"trained": {"yes"}}, "en",
			[]string{"topics: Select an answer to ‘Which topics would help?’"}, map[string]string{"trained": "yes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answers := tt.section.Collect(tt.prior, form(tt.form))
			if diff := cmp.Diff(tt.stored, answers); diff != "" {
				t.Errorf("collected answers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, fields(tt.section.Check(d, answers, tt.lang))); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// A section shown only to leaders is skipped for others, and its answers
// are not kept in the response even if a draft still holds them.
func TestConditionsDecidePagesAndResponse(t *testing.T) {
	d := mini(t)
	ids := func(ss []*Section) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	answers := map[string]string{
		"sector": "health", "role": "frontline", "caf-1": "1", "caf-2": "2",
		"lead-1": "3", "team-size": "7", "trained": "yes", "topics": "caf",
	}
	if got := ids(d.Pages(answers)); !slices.Equal(got, []string{"about-you", "caf", "more"}) {
		t.Errorf("frontline pages %v", got)
	}
	r := d.Response(Draft{Key: "k", Round: "baseline", Answers: answers})
	if _, ok := r.Answers["lead-1"]; ok {
		t.Error("the hidden section's answer was kept")
	}
	if _, ok := r.Answers["team-size"]; ok {
		t.Error("the hidden question's answer was kept")
	}
	if inc := d.Incomplete(Draft{Answers: answers}); len(inc) != 0 {
		t.Errorf("complete frontline draft has incomplete pages %v", ids(inc))
	}

	answers["role"] = "leader-manager"
	if got := ids(d.Pages(answers)); !slices.Equal(got, []string{"about-you", "caf", "leading", "more"}) {
		t.Errorf("leader pages %v", got)
	}
	r = d.Response(Draft{Key: "k", Round: "baseline", Answers: answers})
	if r.Answers["lead-1"] != "3" || r.Answers["team-size"] != "7" {
		t.Errorf("leader answers not kept: %v", r.Answers)
	}
}

func TestFlagged(t *testing.T) {
	d := mini(t)
	for text, want := range map[string]bool{
		"Someone HURT me.":          true,
		"I was scared, at home":     true,
		"hurtful comments in class": false,
		"nothing to add":            false,
	} {
		got := len(d.Flagged(Response{Answers: map[string]string{"caf-comment": text}})) > 0
		if got != want {
			t.Errorf("%q flagged %v, want %v", text, got, want)
		}
	}
}

func TestResumeCode(t *testing.T) {
	code := NewResumeCode()
	if len(code) != 14 || code[4] != '-' || code[9] != '-' {
		t.Fatalf("code %q", code)
	}
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	if NormalResumeCode(typed) != code {
		t.Errorf("typed %q normalised to %q, want %q", typed, NormalResumeCode(typed), code)
	}
	if got := NormalResumeCode("abcd efgh jkmo"); got != "ABCD-EFGH-JKM0" {
		t.Errorf("O should read as zero: %q", got)
	}
}

// Every language has every message English has, so no page mixes languages.
// Every language's file has every key English has, and no other, with the
// same formatting verbs in the same order (a missing %d would print
// "%!d(MISSING)" to a respondent).
func TestMessagesComplete(t *testing.T) {
	if len(Languages) < 3 || Languages[0].Value != "en" {
		t.Fatalf("languages %v, want English first and at least Welsh and Polish", Languages)
	}
	verbs := regexp.MustCompile(`%[sd]`)
	for _, l := range Languages {
		for key, en := range messages["en"] {
			m, ok := messages[l.Value][key]
			if !ok {
				t.Errorf("%s has no message %q", l.Value, key)
				continue
			}
			if a, b := verbs.FindAllString(en, -1), verbs.FindAllString(m, -1); !slices.Equal(a, b) {
				t.Errorf("%s %q has %v, English has %v", l.Value, key, b, a)
			}
		}
		for key := range messages[l.Value] {
			if _, ok := messages["en"][key]; !ok {
				t.Errorf("%s has %q, which English has not", l.Value, key)
			}
		}
	}
}

// A condition holds only on answers that were themselves asked: when an
// earlier answer hides a section, a later question that depended on an
// answer in it is hidden too, and neither answer is kept.
func TestChainedConditions(t *testing.T) {
	d, ps := Parse("chain.yaml", []byte(`
title: Chain
audience: staff
introduction: x
how_answers_are_used: x
rounds: [{id: r, label: R, open: true}]
scales: {s: {levels: [{value: 1, label: A}, {value: 2, label: B}]}}
sections:
  - id: a
    title: A
    questions:
      - {id: role, type: choice, text: Role, options: [{value: x, label: X}, {value: y, label: Y}]}
  - id: b
    title: B
    show_if: {question: role, answer_is: [x]}
    questions:
      - {id: gate, type: yes-no, text: Gate}
  - id: c
    title: C
    questions:
      - {id: follow, type: text, text: Follow, show_if: {question: gate, answer_is: ["yes"]}}
      - {id: always, type: text, text: Always, optional: true}
`))
	if ps != nil {
		t.Fatal(ps)
	}
	answers := map[string]string{"role": "y", "gate": "yes", "follow": "hello", "always": "kept"}
	r := d.Response(Draft{Key: "k", Round: "r", Answers: answers})
	if diff := cmp.Diff(map[string]string{"role": "y", "always": "kept"}, r.Answers); diff != "" {
		t.Errorf("answers kept (-want +got):\n%s", diff)
	}
	c, _ := d.Section("c")
	if shown := c.Shown(d.Asked(answers)); len(shown) != 1 || shown[0].ID != "always" {
		t.Errorf("section c shows %d questions, want only the unconditional one", len(shown))
	}
	if inc := d.Incomplete(Draft{Answers: answers}); len(inc) != 0 {
		t.Errorf("incomplete: %v", inc[0].ID)
	}
}

// Posted reads a page as the respondent sent it, whatever the conditions
// say (Collect would drop team-size here), and only the page's questions.
func TestPostedIgnoresConditions(t *testing.T) {
	d := mini(t)
	about, _ := d.Section("about-you")
	more, _ := d.Section("more")
	for _, tt := range []struct {
		name    string
		section *Section
		form    map[string][]string
		want    map[string]string
	}{
		{"a question whose condition does not hold", about,
			map[string][]string{"sector": {"health"}, "role": {"frontline"}, "team-size": {" 1,200 "}, "not-a-question": {"x"}},
			map[string]string{"sector": "health", "role": "frontline", "team-size": "1200"}},
		{"read as Collect reads", more,
			map[string][]string{"trained": {"yes"}, "topics": {"sharing", "caf", "caf"}, "postcode": {"  N17\r\n"}},
			map[string]string{"trained": "yes", "topics": "caf sharing", "postcode": "N17"}},
		{"nothing sent", more, nil, map[string]string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.section.Posted(form(tt.form))); diff != "" {
				t.Errorf("posted answers (-want +got):\n%s", diff)
			}
		})
	}
}

// The English words for each preset's options are the labels Presets
// gives them, so that reports (in English) and the English form agree.
func TestPresetWords(t *testing.T) {
	for name, opts := range Presets {
		for _, o := range opts {
			if got := Message("en", "preset-"+name+"-"+o.Value); got != o.Label {
				t.Errorf("preset %s, %s: words say %q, Presets %q", name, o.Value, got, o.Label)
			}
		}
	}
}
