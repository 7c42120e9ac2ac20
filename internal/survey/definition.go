// Package survey is the domain of the toolkit: survey definitions (loaded from
// YAML and validated), the answers a respondent gives, and the responses and
// drafts that the stores keep. It knows nothing of HTTP or databases.
package survey

import "strconv"

// Definition is one survey as written in a YAML file in the surveys folder.
// The file name (without .yaml) is the survey's ID.
type Definition struct {
	ID      string `yaml:"-"`
	Version string `yaml:"-"` // first 12 hex digits of the SHA-256 of the file
	File    string `yaml:"-"`

	Title        string `yaml:"title"`
	Audience     string `yaml:"audience"` // who answers: see Audiences
	Introduction string `yaml:"introduction"`
	// TimeToComplete tells respondents on the start page how long it takes,
	// for example "15 minutes".
	TimeToComplete string `yaml:"time_to_complete"`
	// HowAnswersAreUsed is shown on the start page.
	HowAnswersAreUsed string `yaml:"how_answers_are_used"`
	// MinGroupSize is the smallest group whose figures a report shows;
	// smaller groups are suppressed. Zero means DefaultMinGroupSize.
	MinGroupSize int `yaml:"min_group_size"`

	Rounds   []Round            `yaml:"rounds"`
	Scales   map[string]*Scale  `yaml:"scales"`
	Profile  []*ProfileQuestion `yaml:"profile"`
	Sections []*Section         `yaml:"sections"`
}

// DefaultMinGroupSize is the suppression threshold when a survey sets none.
const DefaultMinGroupSize = 5

// Audiences are the kinds of people a survey can be written for.
var Audiences = []string{"staff", "organisations", "children", "young-people", "parents-carers"}

// Round is one run of a survey: a baseline, a follow-up, a practice round.
type Round struct {
	ID    string `yaml:"id"`
	Label string `yaml:"label"`
	Open  bool   `yaml:"open"`
}

// Scale is a rating scale defined once in a survey and used by sections.
type Scale struct {
	Levels []Level `yaml:"levels"`
	// DontKnow and NotApplicable add those answers; they are counted but
	// left out of means.
	DontKnow      bool `yaml:"dont_know"`
	NotApplicable bool `yaml:"not_applicable"`
}

// Level is one point of a scale.
type Level struct {
	Value      int    `yaml:"value"`
	Label      string `yaml:"label"`
	Descriptor string `yaml:"descriptor"` // what this level looks like in practice
}

// Answer values a statement can take besides a level's value.
const (
	DontKnow      = "dont-know"
	NotApplicable = "not-applicable"
)

// Option is one choice of a profile question.
type Option struct {
	Value string `yaml:"value"`
	Label string `yaml:"label"`
}

// ProfileQuestion asks about the respondent (sector, organisation, role,
// workforce) so that reports can be broken down by it.
type ProfileQuestion struct {
	ID    string `yaml:"id"`
	Label string `yaml:"label"`
	Hint  string `yaml:"hint"`
	// Preset fills Options from a list the toolkit knows: see Presets.
	Preset   string   `yaml:"preset"`
	Options  []Option `yaml:"options"`
	Optional bool     `yaml:"optional"`
}

// Section is a strand: statements rated on one scale, with tags that tie it
// to the Trust's plans.
type Section struct {
	ID          string       `yaml:"id"`
	Title       string       `yaml:"title"`
	Description string       `yaml:"description"`
	Scale       string       `yaml:"scale"` // a key of Definition.Scales
	Statements  []*Statement `yaml:"statements"`
	// Comment, when set, adds an optional comment box with this label.
	Comment string `yaml:"comment"`
	Tags    Tags   `yaml:"tags"`
}

// Statement is one thing a respondent rates.
type Statement struct {
	ID   string `yaml:"id"`
	Text string `yaml:"text"`
	Hint string `yaml:"hint"`
}

// Tags cross-reference a section to Every Child Matters outcomes, workforce
// priorities and Joint Area Review areas for improvement.
type Tags struct {
	ECMOutcomes         []string `yaml:"ecm_outcomes"`
	WorkforcePriorities []string `yaml:"workforce_priorities"`
	JARAreas            []string `yaml:"jar_areas"`
}

// ECMOutcomes are the five Every Child Matters outcomes, by tag value.
var ECMOutcomes = []Option{
	{"be-healthy", "Be healthy"},
	{"stay-safe", "Stay safe"},
	{"enjoy-and-achieve", "Enjoy and achieve"},
	{"make-a-positive-contribution", "Make a positive contribution"},
	{"achieve-economic-well-being", "Achieve economic well-being"},
}

// Presets are option lists a profile question can name instead of listing
// its own.
var Presets = map[string][]Option{
	"sectors": {
		{"education", "Education"},
		{"health", "Health"},
		{"social-family-community-support", "Social, family and community support"},
		{"youth", "Youth"},
		{"justice-crime-prevention", "Justice and crime prevention"},
		{"sport-culture", "Sport and culture"},
		{"early-years-childcare", "Early years and childcare"},
		{"managers-leaders", "Managers and leaders"},
	},
	"roles": {
		{"leader-manager", "Leader or manager"},
		{"frontline", "Frontline practitioner"},
	},
	"workforce": {
		{"core", "Core workforce: I work with children, young people or families all the time"},
		{"wider", "Wider workforce: I work with children, young people or families part of the time"},
	},
}

// Round returns the round with the given ID.
func (d *Definition) Round(id string) (Round, bool) {
	for _, r := range d.Rounds {
		if r.ID == id {
			return r, true
		}
	}
	return Round{}, false
}

// Section returns the section with the given ID.
func (d *Definition) Section(id string) (*Section, bool) {
	for _, s := range d.Sections {
		if s.ID == id {
			return s, true
		}
	}
	return nil, false
}

// ScaleOf returns the scale a section is rated on.
func (d *Definition) ScaleOf(s *Section) *Scale { return d.Scales[s.Scale] }

// GroupSize is the suppression threshold for this survey's reports.
func (d *Definition) GroupSize() int {
	if d.MinGroupSize > 0 {
		return d.MinGroupSize
	}
	return DefaultMinGroupSize
}

// Level returns the level with the given answer value ("1", "2", …).
func (s *Scale) Level(value string) (Level, bool) {
	for _, l := range s.Levels {
		if strconv.Itoa(l.Value) == value {
			return l, true
		}
	}
	return Level{}, false
}

// Valid reports whether value is an answer this scale accepts.
func (s *Scale) Valid(value string) bool {
	if _, ok := s.Level(value); ok {
		return true
	}
	return (value == DontKnow && s.DontKnow) || (value == NotApplicable && s.NotApplicable)
}

// AnswerLabel returns the text of an answer value, for check-answers pages
// and reports.
func (s *Scale) AnswerLabel(value string) string {
	if l, ok := s.Level(value); ok {
		return strconv.Itoa(l.Value) + " – " + l.Label
	}
	switch value {
	case DontKnow:
		return "Don't know"
	case NotApplicable:
		return "Not applicable"
	}
	return ""
}

// OptionLabel returns the text of a profile answer.
func (q *ProfileQuestion) OptionLabel(value string) string {
	for _, o := range q.Options {
		if o.Value == value {
			return o.Label
		}
	}
	return ""
}

// Values lists the answer values of a scale in order: the levels, then
// Don't know and Not applicable where the scale has them.
func (s *Scale) Values() []string {
	vs := make([]string, 0, len(s.Levels)+2)
	for _, l := range s.Levels {
		vs = append(vs, strconv.Itoa(l.Value))
	}
	if s.DontKnow {
		vs = append(vs, DontKnow)
	}
	if s.NotApplicable {
		vs = append(vs, NotApplicable)
	}
	return vs
}
