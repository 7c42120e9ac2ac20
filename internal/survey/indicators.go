package survey

import (
	"slices"
	"strings"
)

// Indicator kinds.
const (
	// IndicatorReaches is the share of people whose answer to one question
	// reaches the level they give in another: safeguarding training
	// completed at or above the level the role needs.
	IndicatorReaches = "reaches"
	// IndicatorDemand ranks the options of multiple-choice questions by
	// the share of people who chose them: the training topics, ways of
	// learning and barriers a training plan starts from.
	IndicatorDemand = "demand"
)

// Indicator is a figure the Trust's plans name, defined in the survey file
// and worked out from the answers, in every output that shows a round's
// figures, under the same protection as the rest.
type Indicator struct {
	ID    string `yaml:"id"`
	Type  string `yaml:"type"`
	Title string `yaml:"title"`
	// Reaches: Answer is the question whose answer must reach the level
	// its person gives to Level. Both are choices; Answer's options are
	// its levels, lowest first, and every option of Level but those Apart
	// must be one of them.
	Answer string `yaml:"answer"`
	Level  string `yaml:"level"`
	// Apart are answers (to either question) counted apart, neither
	// reaching the level nor not: "I'm not sure".
	Apart []string `yaml:"apart"`
	// Demand: the multiple-choice questions whose options are ranked.
	Questions []string `yaml:"questions"`
	// By are the breakdowns the indicator is shown by, besides everyone.
	By []string `yaml:"by"`
}

// Outcomes of a reaches indicator for one person.
const (
	Reached    = "reached"
	NotReached = "not-reached"
	Apart      = "apart"
)

// IndicatorKey is the tally key of a reaches indicator's outcomes.
func IndicatorKey(id string) string { return "indicator:" + id }

// Outcome is one person's outcome on a reaches indicator, from their
// answers: Reached, NotReached or Apart; "" when they answered neither
// question, or an answer is not one of its question's values.
func (d *Definition) Outcome(in *Indicator, answers map[string]string) string {
	a, l := answers[in.Answer], answers[in.Level]
	if a == "" || l == "" {
		return ""
	}
	if slices.Contains(in.Apart, a) || slices.Contains(in.Apart, l) {
		return Apart
	}
	q, _, ok := d.Question(in.Answer)
	if !ok {
		return ""
	}
	ia := slices.IndexFunc(q.Options, func(o Option) bool { return o.Value == a })
	il := slices.IndexFunc(q.Options, func(o Option) bool { return o.Value == l })
	switch {
	case ia < 0 || il < 0:
		return ""
	case ia >= il:
		return Reached
	}
	return NotReached
}

// Reaching lists the survey's reaches indicators.
func (d *Definition) Reaching() []*Indicator {
	var out []*Indicator
	for _, in := range d.Indicators {
		if in.Type == IndicatorReaches {
			out = append(out, in)
		}
	}
	return out
}

func (v *validator) indicator(a at, d *Definition, in *Indicator, seen map[string]bool) {
	if in == nil {
		v.add(a, "an indicator needs an id, a type and a title")
		return
	}
	v.id(a.key("id"), "indicator", in.ID, seen)
	v.required(a.key("title"), "indicator title", in.Title)
	question := func(key, id string, types ...string) *Question {
		q, _, ok := d.Question(id)
		switch {
		case id == "":
			v.add(a.key(key), "%s is required: the id of a %s question", key, strings.Join(types, " or "))
		case !ok:
			v.add(a.key(key), "%s: there is no question %q", key, id)
		case !slices.Contains(types, q.Type):
			v.add(a.key(key), "%s: question %q is a %s question; it must be a %s question", key, id, q.Type, strings.Join(types, " or "))
		default:
			return q
		}
		return nil
	}
	switch in.Type {
	case IndicatorReaches:
		answer := question("answer", in.Answer, TypeChoice)
		level := question("level", in.Level, TypeChoice)
		if answer != nil && level != nil {
			for _, o := range level.Options {
				if !slices.Contains(in.Apart, o.Value) && answer.OptionLabel(o.Value) == "" {
					v.add(a.key("level"), "level: %q, an answer to %q, is not an answer to %q: every level must be one of its answers (or listed under apart)", o.Value, level.ID, answer.ID)
				}
			}
			for i, x := range in.Apart {
				if answer.OptionLabel(x) == "" && level.OptionLabel(x) == "" {
					v.add(a.key("apart").index(i), "apart: %q is not an answer to %q or %q", x, answer.ID, level.ID)
				}
			}
		}
		if len(in.Questions) > 0 {
			v.add(a.key("questions"), "questions are for a demand indicator; a reaches indicator has answer and level")
		}
	case IndicatorDemand:
		if len(in.Questions) == 0 {
			v.add(a.key("questions"), "questions: list the multiple-choice questions whose options are ranked")
		}
		for i, id := range in.Questions {
			if q, _, ok := d.Question(id); !ok || q.Type != TypeMultiple {
				v.add(a.key("questions").index(i), "questions: %q is not a multiple-choice question of this survey", id)
			}
		}
		if in.Answer != "" || in.Level != "" {
			v.add(a, "answer and level are for a reaches indicator; a demand indicator has questions")
		}
	default:
		v.add(a.key("type"), "indicator type %q must be %s or %s", in.Type, IndicatorReaches, IndicatorDemand)
	}
	for i, by := range in.By {
		if _, ok := d.BreakdownQuestion(by); !ok {
			v.add(a.key("by").index(i), "by: the survey has no %s breakdown (a question with breakdown: %s)", by, by)
		}
	}
}
