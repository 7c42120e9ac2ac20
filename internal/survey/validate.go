package survey

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// idPattern is what IDs look like: they appear in links and in stored
// answers, so they are kept to lowercase letters, digits and hyphens.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

const idRule = "lowercase letters, digits and hyphens, starting with a letter or digit, at most 63 characters"

type problem struct {
	at      at
	message string
}

// validator collects every problem in a definition rather than stopping at
// the first, so that a survey author can fix them all in one go.
type validator struct {
	problems []problem
}

func (v *validator) add(a at, format string, args ...any) {
	v.problems = append(v.problems, problem{a, fmt.Sprintf(format, args...)})
}

func (v *validator) required(a at, name, value string) {
	if strings.TrimSpace(value) == "" {
		v.add(a, "%s is required", name)
	}
}

func (v *validator) id(a at, what, id string, seen map[string]bool) {
	switch {
	case id == "":
		v.add(a, "%s id is required", what)
	case !idPattern.MatchString(id):
		v.add(a, "%s id %q must be %s", what, id, idRule)
	case seen[id]:
		v.add(a, "%s id %q is used twice", what, id)
	}
	seen[id] = true
}

func (v *validator) definition(d *Definition) {
	root := at{}
	if !idPattern.MatchString(d.ID) {
		v.add(root, "the file name %q must be a survey id: %s, then .yaml", d.ID+".yaml", idRule)
	}
	v.required(root.key("title"), "title", d.Title)
	v.required(root.key("introduction"), "introduction", d.Introduction)
	if !slices.Contains(Audiences, d.Audience) {
		v.add(root.key("audience"), "audience %q must be one of: %s", d.Audience, strings.Join(Audiences, ", "))
	}
	v.required(root.key("how_answers_are_used"), "how_answers_are_used", d.HowAnswersAreUsed)
	if d.MinGroupSize != 0 && d.MinGroupSize < DefaultMinGroupSize {
		v.add(root.key("min_group_size"), "min_group_size must be %d or more (or left out for %d): smaller groups could let people be identified", DefaultMinGroupSize, DefaultMinGroupSize)
	}

	if len(d.Rounds) == 0 {
		v.add(root, "rounds: at least one round is required")
	}
	seen := map[string]bool{}
	for i, r := range d.Rounds {
		a := root.key("rounds").index(i)
		v.id(a.key("id"), "round", r.ID, seen)
		v.required(a.key("label"), "round label", r.Label)
	}

	if len(d.Scales) == 0 {
		v.add(root, "scales: at least one scale is required")
	}
	names := make([]string, 0, len(d.Scales))
	for name := range d.Scales {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v.scale(root.key("scales").key(name), name, d.Scales[name])
	}

	seen = map[string]bool{}
	for i, q := range d.Profile {
		v.profileQuestion(root.key("profile").index(i), q, seen)
	}

	if len(d.Sections) == 0 {
		v.add(root, "sections: at least one section is required")
	}
	seen = map[string]bool{}
	statements := map[string]bool{}
	for i, s := range d.Sections {
		v.section(root.key("sections").index(i), d, s, seen, statements)
	}
}

func (v *validator) scale(a at, name string, s *Scale) {
	if !idPattern.MatchString(name) {
		v.add(a, "scale name %q must be %s", name, idRule)
	}
	if s == nil || len(s.Levels) < 2 {
		v.add(a, "scale %q needs at least two levels", name)
		return
	}
	values := map[int]bool{}
	for i, l := range s.Levels {
		la := a.key("levels").index(i)
		if values[l.Value] {
			v.add(la.key("value"), "level value %d is used twice in scale %q", l.Value, name)
		}
		values[l.Value] = true
		if i > 0 && l.Value <= s.Levels[i-1].Value {
			v.add(la.key("value"), "level values must go up from the first level to the last: %d comes after %d", l.Value, s.Levels[i-1].Value)
		}
		v.required(la.key("label"), "level label", l.Label)
	}
}

func (v *validator) profileQuestion(a at, q *ProfileQuestion, seen map[string]bool) {
	if q == nil {
		v.add(a, "profile question is empty")
		return
	}
	v.id(a.key("id"), "profile question", q.ID, seen)
	v.required(a.key("label"), "profile question label", q.Label)
	switch {
	case q.Preset != "" && len(q.Options) > 0:
		v.add(a.key("preset"), "give either preset or options, not both")
	case q.Preset != "":
		opts, ok := Presets[q.Preset]
		if !ok {
			v.add(a.key("preset"), "preset %q must be one of: %s", q.Preset, strings.Join(presetNames(), ", "))
			return
		}
		q.Options = opts
	case len(q.Options) < 2:
		v.add(a, "profile question %q needs a preset or at least two options", q.ID)
	default:
		values := map[string]bool{}
		for i, o := range q.Options {
			v.id(a.key("options").index(i).key("value"), "option", o.Value, values)
			v.required(a.key("options").index(i).key("label"), "option label", o.Label)
		}
	}
}

func presetNames() []string {
	names := make([]string, 0, len(Presets))
	for n := range Presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (v *validator) section(a at, d *Definition, s *Section, seen, statements map[string]bool) {
	if s == nil {
		v.add(a, "section is empty")
		return
	}
	v.id(a.key("id"), "section", s.ID, seen)
	if s.ID == ProfilePage {
		v.add(a.key("id"), "section id %q is kept for the profile page: choose another", s.ID)
	}
	v.required(a.key("title"), "section title", s.Title)
	if _, ok := d.Scales[s.Scale]; !ok {
		v.add(a.key("scale"), "section %q: scale %q is not defined under scales", s.ID, s.Scale)
	}
	if len(s.Statements) == 0 {
		v.add(a, "section %q needs at least one statement", s.ID)
	}
	for i, st := range s.Statements {
		sa := a.key("statements").index(i)
		if st == nil {
			v.add(sa, "statement is empty")
			continue
		}
		v.id(sa.key("id"), "statement", st.ID, statements)
		v.required(sa.key("text"), "statement text", st.Text)
	}
	for i, o := range s.Tags.ECMOutcomes {
		if !slices.ContainsFunc(ECMOutcomes, func(e Option) bool { return e.Value == o }) {
			v.add(a.key("tags").key("ecm_outcomes").index(i), "Every Child Matters outcome %q must be one of: %s", o, ecmValues())
		}
	}
}

func ecmValues() string {
	vs := make([]string, len(ECMOutcomes))
	for i, o := range ECMOutcomes {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}
