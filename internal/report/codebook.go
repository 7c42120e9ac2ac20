package report

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"

	"iwtoolkit/internal/survey"
)

// The codes of the answers that are not a point of a scale or an option,
// the same in every coded variable, so that an analyst can declare them
// missing once: SPSS's MISSING VALUES, R's NA. The first three are
// answers a respondent gave; the last three say why a cell holds no
// answer: a question asked and left blank, a question the respondent was
// not asked (its condition, or its section's, did not hold), and a stored
// answer that is not one of its question's values (damage found when the
// export was made: it is not exported as if true).
const (
	CodeDontKnow       = -1
	CodeNotApplicable  = -2
	CodePreferNotToSay = -3
	CodeNotAnswered    = -4
	CodeNotAsked       = -5
	CodeInvalid        = -6
)

// The cells of the raw exports that are no answer: a question asked and
// left blank is an empty cell; one not asked, and a stored answer outside
// its question's values, have values of their own, which no option may
// take (survey.NotAsked, survey.Invalid).
const (
	ValueNotAnswered = ""
	ValueNotAsked    = survey.NotAsked
	ValueInvalid     = survey.Invalid
)

// Variable is one column of the raw-responses exports (CSV, Excel, SPSS)
// as the codebook describes it. The columns are CSVColumns, in order.
type Variable struct {
	Key      string // the CSV column: an answer key, or reference, round, submitted
	Name     string // the SPSS variable name: Key made valid and unique
	Question string // the question's id (a grid's for its statements); "" for the first three
	Section  string // the section's id
	Label    string // the wording: the question, or a grid's heading and its statement
	Type     string // a survey question type, or "reference", "round", "submitted"
	// Values are the coded answers, in order; empty for text, numbers,
	// multiple choice and the reference and time.
	Values []Value
	// AskedIf says when the question is asked ("" for always): another
	// question's answer, as the survey file gives it.
	AskedIf string
	// MaxLength is the longest answer a text question takes, in characters.
	MaxLength int
	// Min and Max bound a number question's answers.
	Min, Max *int
	// Options are a multiple choice's options: its answer is their values
	// joined by spaces, so it has no codes of its own.
	Options []Value
	index   map[string]int // Values by Value.Value
	// shown are the conditions under which the question is asked: its
	// section's and its own.
	shown [2]*survey.Condition
}

// Value is one coded answer: its value in the CSV, its code in the codes
// sheet and SPSS, its label, and whether it is a missing-value code.
type Value struct {
	Value   string
	Code    int
	Label   string
	Missing bool
}

// Coded reports whether the variable's answers have codes.
func (v *Variable) Coded() bool { return len(v.Values) > 0 }

// Lookup returns the coded answer of a raw value, or what a cell that
// holds no answer means (Missing).
func (v *Variable) Lookup(raw string) (Value, bool) {
	if i, ok := v.index[raw]; ok {
		return v.Values[i], true
	}
	for _, x := range v.Missing() {
		if x.Value == raw && raw != "" {
			return x, true
		}
	}
	return Value{}, false
}

// Numeric reports whether the variable's answers are numbers in SPSS and
// the Codes sheet: coded answers and number questions.
func (v *Variable) Numeric() bool { return v.Coded() || v.spec().Number }

// spec is the definition of the variable's question type: the zero
// TypeSpec for the reference, round and submitted columns.
func (v *Variable) spec() survey.TypeSpec { return survey.SpecOf(v.Type) }

// Missing are the cells of a question's column that hold no answer, as
// the codebook lists them: left blank (every question), not asked (a
// question with a condition) and not a valid answer (every question with
// values to check). Their codes apply to Numeric variables; a text or
// multiple choice column holds the value itself.
func (v *Variable) Missing() []Value {
	if v.Question == "" {
		return nil
	}
	out := []Value{{Value: ValueNotAnswered, Code: CodeNotAnswered, Label: "Not answered", Missing: true}}
	if v.AskedIf != "" {
		out = append(out, Value{Value: ValueNotAsked, Code: CodeNotAsked, Label: "Not asked", Missing: true})
	}
	if v.checked() {
		out = append(out, Value{Value: ValueInvalid, Code: CodeInvalid, Label: "Not a valid answer (stored answer outside the question's values)", Missing: true})
	}
	return out
}

// checked reports whether the variable's answers have values to check.
func (v *Variable) checked() bool {
	return v.Question != "" && (v.Coded() || v.spec().Number || v.spec().Multiple)
}

// asked reports whether a response with these answers was asked the
// question.
func (v *Variable) asked(answers map[string]string) bool {
	return v.shown[0].Holds(answers) && v.shown[1].Holds(answers)
}

// valid reports whether a stored answer is one of the question's values:
// a code, options of a multiple choice each once, a whole number within
// the question's bounds. Text is not checked.
func (v *Variable) valid(raw string) bool {
	switch {
	case v.Coded():
		_, ok := v.index[raw]
		return ok
	case v.spec().Multiple:
		seen := map[string]bool{}
		for _, c := range survey.Choices(raw) {
			if seen[c] || !slices.ContainsFunc(v.Options, func(o Value) bool { return o.Value == c }) {
				return false
			}
			seen[c] = true
		}
		return len(seen) > 0
	case v.spec().Number:
		n, err := strconv.Atoi(strings.ReplaceAll(raw, ",", ""))
		return err == nil && (v.Min == nil || n >= *v.Min) && (v.Max == nil || n <= *v.Max)
	}
	return true
}

// Readable is a raw answer as a person reads it: an option's or level's
// label, the labels of a multiple choice joined by "; ", or the answer
// itself (text, numbers).
func (v *Variable) Readable(raw string) string {
	if raw == "" {
		return ""
	}
	if x, ok := v.Lookup(raw); ok {
		return x.Label
	}
	if v.spec().Multiple {
		parts := survey.Choices(raw)
		for i, p := range parts {
			for _, o := range v.Options {
				if o.Value == p {
					parts[i] = o.Label
				}
			}
		}
		return strings.Join(parts, "; ")
	}
	return raw
}

// Codebook describes every column of the raw-responses exports, in the
// order of CSVColumns. rounds are all the survey's rounds, the file's and
// those staff added (package rounds lists them), coded 1, 2, … in that
// order.
func Codebook(d *survey.Definition, rounds []survey.Round) []Variable {
	vars := []Variable{
		{Key: "reference", Label: "The reference the respondent was given", Type: "reference"},
		{Key: "round", Label: "The round the response was given in", Type: "round"},
		{Key: "submitted", Label: "When the response was sent (UTC, ISO 8601)", Type: "submitted"},
	}
	for i, r := range rounds {
		vars[1].Values = append(vars[1].Values, Value{Value: r.ID, Code: i + 1, Label: r.Label})
	}
	for _, s := range d.Sections {
		for _, q := range s.Questions {
			asked := conditionText(s.ShowIf, "section")
			if c := conditionText(q.ShowIf, ""); c != "" {
				asked = strings.TrimPrefix(asked+"; "+c, "; ")
			}
			base := Variable{Question: q.ID, Section: s.ID, Type: q.Type, AskedIf: asked, MaxLength: maxLength(q),
				Min: q.Min, Max: q.Max, shown: [2]*survey.Condition{s.ShowIf, q.ShowIf}}
			switch spec := q.Spec(); {
			case spec.Rated:
				base.Values = scaleValues(d.ScaleOf(q), q.PreferNotToSay)
			case spec.Multiple:
				base.Options = optionValues(q)
			case spec.Options:
				base.Values = optionValues(q)
			}
			if q.Spec().Statements {
				for _, st := range q.Statements {
					v := base
					v.Key, v.Label = st.ID, q.Text+": "+st.Text
					vars = append(vars, v)
				}
				continue
			}
			base.Key, base.Label = q.ID, q.Text
			vars = append(vars, base)
		}
	}
	names := map[string]bool{}
	for i := range vars {
		vars[i].Name = spssName(vars[i].Key, names)
		vars[i].index = make(map[string]int, len(vars[i].Values))
		for j, x := range vars[i].Values {
			vars[i].index[x.Value] = j
		}
	}
	return vars
}

func maxLength(q *survey.Question) int {
	if q.MaxLength > 0 {
		return q.MaxLength
	}
	return q.Spec().DefaultLength
}

func scaleValues(s *survey.Scale, preferNot bool) []Value {
	if s == nil {
		return nil
	}
	var vs []Value
	for _, l := range s.Levels {
		vs = append(vs, Value{Value: strconv.Itoa(l.Value), Code: l.Value, Label: l.Label})
	}
	if s.DontKnow {
		vs = append(vs, Value{Value: survey.DontKnow, Code: CodeDontKnow, Label: survey.Message("en", "dont-know"), Missing: true})
	}
	if s.NotApplicable {
		vs = append(vs, Value{Value: survey.NotApplicable, Code: CodeNotApplicable, Label: survey.Message("en", "not-applicable"), Missing: true})
	}
	if preferNot {
		vs = append(vs, preferNotValue())
	}
	return vs
}

func optionValues(q *survey.Question) []Value {
	var vs []Value
	for i, o := range q.Options {
		vs = append(vs, Value{Value: o.Value, Code: i + 1, Label: o.Label})
	}
	if q.None != "" {
		vs = append(vs, Value{Value: survey.NoneOfThese, Code: len(q.Options) + 1, Label: q.None})
	}
	if q.PreferNotToSay {
		vs = append(vs, preferNotValue())
	}
	return vs
}

func preferNotValue() Value {
	return Value{Value: survey.PreferNotToSay, Code: CodePreferNotToSay, Label: survey.Message("en", "prefer-not-to-say"), Missing: true}
}

func conditionText(c *survey.Condition, what string) string {
	if c == nil {
		return ""
	}
	s := c.Question + " is " + strings.Join(c.AnswerIs, " or ")
	if what != "" {
		s = what + " asked when " + s
	}
	return s
}

// spssName makes an answer key a valid SPSS variable name, unique among
// taken: letters, digits and _ only (a hyphen becomes _), starting with a
// letter, at most 64 bytes, and none of SPSS's reserved words.
func spssName(key string, taken map[string]bool) string {
	var b strings.Builder
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := b.String()
	if name == "" || !(name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z') {
		name = "q" + name
	}
	if len(name) > 60 {
		name = name[:60]
	}
	switch strings.ToUpper(name) {
	case "ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH":
		name += "_"
	}
	base := name
	for i := 2; taken[strings.ToLower(name)]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	taken[strings.ToLower(name)] = true
	return name
}

// CodebookColumns are the columns of codebook.csv, one row per coded
// answer of each variable (one row for a variable with no codes).
var CodebookColumns = []string{"variable", "spss_name", "question", "section", "type", "wording", "code", "value", "label", "missing", "asked_if", "rounds"}

// codeColumn is the column of CodebookColumns that holds the code.
const codeColumn = 6

// WriteCodebookCSV writes the codebook of the raw-responses exports, for R
// users and anyone reading the CSV: per column (variable), per answer code
// its value in the CSV, its label and whether it is a missing-value code,
// then what a cell with no answer holds (left blank, not asked, not a
// valid answer). Every question is asked in each of the survey's rounds
// (listed in rounds); asked_if says when a question is asked at all.
// UTF-8 with a byte-order mark, cells guarded against formulas as in the
// CSV.
func WriteCodebookCSV(w io.Writer, d *survey.Definition, rounds []survey.Round) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	rows := append([][]string{CodebookColumns}, CodebookRows(d, rounds)...)
	for _, r := range rows {
		for i, c := range r {
			if i != codeColumn { // codes are whole numbers the toolkit gives: -1 is no formula
				r[i] = SafeCell(c)
			}
		}
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// CodebookRows are the codebook's rows under CodebookColumns: the same for
// codebook.csv and the Excel codebook sheet.
func CodebookRows(d *survey.Definition, rounds []survey.Round) [][]string {
	ids := make([]string, len(rounds))
	for i, r := range rounds {
		ids[i] = r.ID
	}
	roundList := strings.Join(ids, " ")
	var rows [][]string
	for _, v := range Codebook(d, rounds) {
		head := []string{v.Key, v.Name, v.Question, v.Section, v.Type, v.Label}
		tail := []string{v.AskedIf, roundList}
		values := v.Values
		if v.spec().Multiple {
			values = v.Options
		}
		if len(values) == 0 && v.Question == "" {
			rows = append(rows, concat(head, []string{"", "", "", ""}, tail))
			continue
		}
		for _, x := range values {
			code := strconv.Itoa(x.Code)
			if !v.Coded() {
				code = "" // a multiple choice's options: values, no codes
			}
			rows = append(rows, concat(head, []string{code, x.Value, x.Label, yesNo(x.Missing)}, tail))
		}
		for _, x := range v.Missing() {
			code := strconv.Itoa(x.Code)
			if !v.Numeric() {
				code = "" // text: the cell holds the value itself
			}
			rows = append(rows, concat(head, []string{code, x.Value, x.Label, yesNo(x.Missing)}, tail))
		}
	}
	return rows
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
