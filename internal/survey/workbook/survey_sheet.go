package workbook

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"iwtoolkit/internal/survey"
)

// section is a begin_group row of the survey sheet and what is in it.
type section struct {
	row       row
	questions []*question
}

// question is a question's row; for a grid, its begin_group row and its
// statements' rows.
type question struct {
	row        row
	kind       string // a survey question type
	scale      string
	list       string // the choices sheet's list of its options
	preset     string
	statements []row
}

// structure reads the survey sheet's rows into sections, questions and
// grids, by its begin_group and end_group rows.
func (r *reader) structure(scales []row, lists map[string][]row) []*section {
	isScale := map[string]bool{}
	for _, sc := range scales {
		isScale[sc.id("name")] = true
	}
	used := map[string]bool{}
	var sections []*section
	var sec *section
	var grid *question
	for _, rw := range nonEmpty(r.rows[sheetSurvey]) {
		kind, list := splitType(rw.id("type"))
		switch {
		case kind == "begin_group" && sec == nil:
			r.only(rw, "a section (begin_group)", "type", "name", "label", "hint", "relevant", "appearance")
			if a := rw.id("appearance"); a != "" && a != "field-list" {
				r.problem(rw.at("appearance"), "a section is a page of its own: leave appearance blank (table-list is for a grid, a group inside a section)")
			}
			sec = &section{row: rw}
			sections = append(sections, sec)
		case kind == "begin_group" && grid == nil:
			if a := rw.id("appearance"); a != "" && a != gridType().XLSForm.Appearance {
				r.problem(rw.at("appearance"), "a group inside a section is a grid: give it appearance %s", gridType().XLSForm.Appearance)
			}
			r.only(rw, "a grid (begin_group inside a section)", "type", "name", "label", "hint", "required", "required_message", "relevant", "appearance", "prefer_not_to_say")
			grid = &question{row: rw, kind: gridType().Name}
			sec.questions = append(sec.questions, grid)
		case kind == "begin_group":
			r.problem(rw.at("type"), "a grid cannot hold another group: put end_group before this row")
		case kind == "end_group" && grid != nil:
			r.only(rw, "an end_group", "type", "name")
			grid = nil
		case kind == "end_group" && sec != nil:
			r.only(rw, "an end_group", "type", "name")
			sec = nil
		case kind == "end_group":
			r.problem(rw.at("type"), "end_group without a begin_group before it")
		case sec == nil:
			r.problem(rw.at("type"), "every question is in a section: put a begin_group row (the section's name and title) before it")
		case grid != nil:
			r.only(rw, "a grid's statement", "type", "name", "label", "hint")
			switch {
			case kind != ratingType().XLSForm.Type:
				r.breaks(rw.at("type"), "a grid's statements are %s SCALE, with a scale of the scales sheet", ratingType().XLSForm.Type)
				r.broken[rowKey{grid.row.sheet, grid.row.n}] = true
			case !isScale[list]:
				names := make([]string, 0, len(isScale))
				for n := range isScale {
					names = append(names, n)
				}
				slices.Sort(names)
				hint := " (" + strings.Join(names, ", ") + ")"
				if m, ok := nearest(list, names); ok {
					hint = ": did you mean " + m + "?"
				}
				r.breaks(rw.at("type"), "there is no scale %q on the scales sheet%s", list, hint)
				r.broken[rowKey{grid.row.sheet, grid.row.n}] = true
			case grid.scale != "" && list != grid.scale:
				r.breaks(rw.at("type"), "every statement of a grid is rated on one scale: this grid's first is on %s", grid.scale)
			default:
				grid.scale = list
			}
			used[list] = true
			grid.statements = append(grid.statements, rw)
		default:
			q := &question{row: rw}
			r.questionType(q, kind, list, isScale, lists)
			used[list] = true
			sec.questions = append(sec.questions, q)
		}
	}
	if grid != nil {
		r.problem(grid.row.at("type"), "this grid has no end_group row after its statements")
	}
	if sec != nil {
		r.problem(sec.row.at("type"), "this section has no end_group row after its questions")
	}
	for _, sc := range scales {
		used[sc.id("name")] = true
	}
	for name, rows := range lists {
		if !used[name] && !r.damaged {
			r.problem(rows[0].at("list_name"), "list %q is not used: no question's type names it (select_one %s), and no scale of the scales sheet has its name", name, name)
		}
	}
	return sections
}

// splitType reads a type cell: begin_group or begin group, select_one LIST…
func splitType(t string) (kind, list string) {
	f := strings.Fields(strings.ToLower(t))
	switch {
	case len(f) == 0:
		return "", ""
	case len(f) == 2 && (f[0] == "begin" || f[0] == "end") && f[1] == "group":
		return f[0] + "_group", ""
	case len(f) == 2:
		return f[0], strings.TrimSpace(strings.Fields(t)[1])
	}
	return strings.Join(f, " "), ""
}

// questionType reads a question's type from its type column's word, the
// list it names and its appearance, by the XLSForm words of survey.Types.
func (r *reader) questionType(q *question, kind, list string, isScale map[string]bool, lists map[string][]row) {
	rw := q.row
	appearance := strings.ToLower(rw.id("appearance"))
	of := written(kind)
	switch {
	case len(of) == 0:
		hint := wordsHint()
		if kind == "decimal" {
			hint = "integer: this toolkit asks for whole numbers only"
		} else if m, ok := nearest(kind, words()); ok {
			hint = m + "?"
		}
		r.breaks(rw.at("type"), "%q is not a type this toolkit can ask: did you mean %s", rw.id("type"), hint)
		q.kind = "unknown"
	case listed(of[0]):
		r.listedType(q, kind, list, appearance, of, isScale, lists)
	default:
		s, ok := find(of, func(s survey.TypeSpec) bool { return s.XLSForm.Appearance == appearance })
		if !ok {
			s = of[0]
			if blank, ok := find(of, func(s survey.TypeSpec) bool { return s.XLSForm.Appearance == "" }); ok {
				s = blank
			}
			advice := "leave it blank"
			if notes := appearances(of, "%s for %s"); notes != "" {
				advice = notes + ", or blank for " + s.XLSForm.Says
			}
			r.problem(rw.at("appearance"), "appearance %q is not one this toolkit uses: %s", rw.id("appearance"), advice)
		}
		q.kind = s.Name
	}
}

// listedType reads the type of a question whose word names a list
// (select_one LIST): a rating when the list is a scale, a type's own list
// (yes_no), or else options: the choices sheet's list, or a preset.
func (r *reader) listedType(q *question, kind, list, appearance string, of []survey.TypeSpec, isScale map[string]bool, lists map[string][]row) {
	rw := q.row
	options, _ := find(of, func(s survey.TypeSpec) bool { return s.Options && s.XLSForm.List == "" })
	q.kind = options.Name
	rating, rated := find(of, func(s survey.TypeSpec) bool { return s.Rated })
	own, owned := find(of, func(s survey.TypeSpec) bool { return s.XLSForm.List != "" && s.XLSForm.List == list })
	_, isPreset := survey.Presets[list]
	switch {
	case list == "":
		r.breaks(rw.at("type"), "%s needs the name of its list: %s LIST", kind, kind)
	case isScale[list] && rated:
		q.kind, q.scale = rating.Name, list
	case isScale[list]:
		r.breaks(rw.at("type"), "%q is a scale: a rating is %s %s", list, ratingType().XLSForm.Type, list)
	case lists[list] != nil:
		q.list = list
	case owned:
		q.kind = own.Name
	case isPreset:
		q.preset = list
	default:
		names := ownLists()
		for n := range lists {
			names = append(names, n)
		}
		for n := range isScale {
			names = append(names, n)
		}
		for n := range survey.Presets {
			names = append(names, n)
		}
		slices.Sort(names)
		hint := ""
		if m, ok := nearest(list, names); ok {
			hint = ": did you mean " + m + "?"
		}
		r.breaks(rw.at("type"), "there is no list %q on the choices sheet, nor a scale of that name on the scales sheet%s", list, hint)
	}
	if appearance == "" {
		return
	}
	var all []survey.TypeSpec
	for _, s := range specs() {
		if listed(s) {
			all = append(all, s)
		}
	}
	s, ok := find(all, func(s survey.TypeSpec) bool { return s.XLSForm.Appearance == appearance })
	if !ok || s.Name != q.kind && !r.broken[rowKey{rw.sheet, rw.n}] {
		r.problem(rw.at("appearance"), "appearance %q is not one this toolkit uses here: leave it blank (%s)", rw.id("appearance"), appearances(all, "%s is for %s"))
	}
}

// only reports the columns of a row that this kind of row does not have.
func (r *reader) only(rw row, what string, cols ...string) {
	for key, v := range rw.values {
		base, _, _ := strings.Cut(key, "::")
		if strings.TrimSpace(v) != "" && !slices.Contains(cols, base) {
			r.problem(rw.at(key), "%s has no %s: leave it blank", what, base)
		}
	}
}

// question writes a question (or a grid with its statements).
func (r *reader) question(s *source, q *question, lists map[string][]row) {
	rw := q.row
	s.line(rw.at("type"), 3, "- type: %s", quote(q.kind))
	s.line(rw.at("name"), 4, "id: %s", quote(rw.id("name")))
	s.text(4, "text", rw, "label")
	for _, f := range [][2]string{{"hint", "hint"}, {"required_message", "error"}, {"pattern_message", "pattern_message"}, {"none", "none"}} {
		if s.filled(rw, f[0]) {
			s.text(4, f[1], rw, f[0])
		}
	}
	if q.scale != "" {
		s.line(rw.at("type"), 4, "scale: %s", quote(q.scale))
	}
	if q.preset != "" {
		s.line(rw.at("type"), 4, "preset: %s", quote(q.preset))
	}
	if !r.yesNo(rw, "required") {
		s.line(rw.at("required"), 4, "optional: true")
	}
	if r.yesNo(rw, "prefer_not_to_say") {
		s.line(rw.at("prefer_not_to_say"), 4, "prefer_not_to_say: true")
	}
	for _, col := range []string{"min", "max", "max_length"} {
		if n, ok := r.whole(rw, col); ok {
			s.line(rw.at(col), 4, "%s: %d", col, n)
		}
	}
	if v := strings.TrimSpace(rw.get("bands")); v != "" {
		if starts, ok := r.bands(rw, v); ok {
			parts := make([]string, len(starts))
			for i, n := range starts {
				parts[i] = strconv.Itoa(n)
			}
			s.line(rw.at("bands"), 4, "bands: [%s]", strings.Join(parts, ", "))
		}
	}
	for _, col := range []string{"pattern", "breakdown"} {
		if v := rw.get(col); v != "" {
			if col == "breakdown" {
				v = strings.TrimSpace(v)
			}
			s.line(rw.at(col), 4, "%s: %s", col, quote(v))
		}
	}
	r.condition(s, 4, rw)
	if survey.SpecOf(q.kind).Statements {
		if len(q.statements) > 0 {
			s.line(rw.at("type"), 4, "statements:")
		}
		for _, st := range q.statements {
			s.line(st.at("name"), 5, "- id: %s", quote(st.id("name")))
			s.text(6, "text", st, "label")
			if s.filled(st, "hint") {
				s.text(6, "hint", st, "hint")
			}
		}
	}
	if options := lists[q.list]; q.list != "" && len(options) > 0 {
		s.line(rw.at("type"), 4, "options:")
		for _, o := range options {
			s.line(o.at("name"), 5, "- value: %s", quote(o.id("name")))
			s.text(6, "label", o, "label")
			if s.filled(o, "hint") {
				s.text(6, "hint", o, "hint")
			}
		}
	}
}

var (
	// A condition's terms: ${q} = 'v' or selected(${q}, 'v'), the value
	// in single or double quotes, or bare.
	equalsTerm   = regexp.MustCompile(`^\s*\$\{\s*([^}]*?)\s*\}\s*=\s*(?:'([^']*)'|"([^"]*)"|([^\s'"()]+))\s*`)
	selectedTerm = regexp.MustCompile(`^\s*selected\s*\(\s*\$\{\s*([^}]*?)\s*\}\s*,\s*(?:'([^']*)'|"([^"]*)"|([^\s'"()]+))\s*\)\s*`)
	orWord       = regexp.MustCompile(`^(?i:or)\s+`)
)

// condition writes a row's relevant as a show_if.
func (r *reader) condition(s *source, indent int, rw row) {
	expr := strings.TrimSpace(rw.get("relevant"))
	if expr == "" {
		return
	}
	question, values, ok := parseRelevant(expr)
	if !ok {
		r.problem(rw.at("relevant"), "this toolkit understands ${question} = 'answer', several joined by or, or selected(${question}, 'answer') for a select_multiple, all on one earlier question; and, not, <, > and other XLSForm expressions are not supported")
		return
	}
	at := rw.at("relevant")
	s.line(at, indent, "show_if:")
	s.line(at, indent+1, "question: %s", quote(question))
	s.line(at, indent+1, "answer_is:")
	for _, v := range values {
		s.line(at, indent+2, "- %s", quote(v))
	}
}

// parseRelevant reads the part of XLSForm's relevant this toolkit can ask:
// answers to one question, joined by or.
func parseRelevant(expr string) (question string, values []string, ok bool) {
	rest := expr
	for {
		m := equalsTerm.FindStringSubmatch(rest)
		if m == nil {
			m = selectedTerm.FindStringSubmatch(rest)
		}
		if m == nil {
			return "", nil, false
		}
		if question != "" && m[1] != question {
			return "", nil, false
		}
		question = m[1]
		values = append(values, m[2]+m[3]+m[4])
		rest = rest[len(m[0]):]
		if rest == "" {
			return question, values, question != ""
		}
		o := orWord.FindString(rest)
		if o == "" {
			return "", nil, false
		}
		rest = rest[len(o):]
	}
}

// band is one band of a bands cell: 3, 1-2, 1 to 2, 6+ or 6 or more.
var band = regexp.MustCompile(`^(-?\d+)(?:\s*(?:-|–|to)\s*(-?\d+)|\s*(\+|or more))?$`)

// bands reads a bands cell, 0, 1-2, 3-5, 6+, into where each band begins,
// as a survey file gives them. The bands must follow on from each other,
// and the last has no end, so that every answer is in one band.
func (r *reader) bands(rw row, v string) ([]int, bool) {
	const how = "write the bands lowest first with commas between, each with its first and last number and the last with + for or more: 0, 1-2, 3-5, 6+"
	var starts []int
	next, open, prev := 0, false, ""
	for _, part := range strings.Split(strings.ReplaceAll(v, ";", ","), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		m := band.FindStringSubmatch(part)
		if m == nil {
			r.problem(rw.at("bands"), "%q is not a band: %s", part, how)
			return nil, false
		}
		from, _ := strconv.Atoi(m[1])
		to := from
		if m[2] != "" {
			to, _ = strconv.Atoi(m[2])
		}
		switch {
		case open:
			r.problem(rw.at("bands"), "only the last band can go on without an end (%s): give it an end, or put it last", prev)
			return nil, false
		case to < from:
			r.problem(rw.at("bands"), "band %q ends before it begins: write the smaller number first", part)
			return nil, false
		case len(starts) > 0 && from != next:
			r.problem(rw.at("bands"), "band %q does not follow on from the band before it, which ends at %d: it should begin at %d, so that every answer is in one band", part, next-1, next)
			return nil, false
		}
		starts = append(starts, from)
		next, open, prev = to+1, m[3] != "", part
	}
	if len(starts) == 0 {
		r.problem(rw.at("bands"), "there are no bands here: %s", how)
		return nil, false
	}
	if !open {
		r.problem(rw.at("bands"), "the last band ends at %d: write it as %d+ (%d or more), so that no answer is left out", next-1, starts[len(starts)-1], starts[len(starts)-1])
		return nil, false
	}
	return starts, true
}
