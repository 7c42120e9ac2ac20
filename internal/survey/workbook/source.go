package workbook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"iwtoolkit/internal/survey"
)

// source is the survey file a workbook makes, with the cell each of its
// lines came from, so that what survey.Parse says of a line can be said of
// its cell.
type source struct {
	b     bytes.Buffer
	cells []cell // by line, from line 1
	langs []string
}

// line writes one line of the file, from cell c.
func (s *source) line(c cell, indent int, format string, args ...any) {
	s.b.WriteString(strings.Repeat("  ", indent))
	fmt.Fprintf(&s.b, format, args...)
	s.b.WriteByte('\n')
	s.cells = append(s.cells, c)
}

// quote writes a value as a YAML double-quoted string (JSON's, which YAML
// reads): whatever a cell holds, it cannot change the file's structure.
func quote(v string) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// text writes a text field from column col of row rw in every language of
// the survey. A text blank in every language is written blank (for the
// rules to say it is required, where it is); one blank in only some is
// written without them, for the rules to say which wording is missing.
func (s *source) text(indent int, key string, rw row, col string) {
	s.textAs(indent, indent+1, key, rw, col)
}

// item writes a text field as the first field of an item of a list.
func (s *source) item(indent int, key string, rw row, col string) {
	s.textAs(indent, indent+2, "- "+key, rw, col)
}

func (s *source) textAs(indent, inner int, key string, rw row, col string) {
	if len(s.langs) == 1 {
		s.line(rw.at(col), indent, "%s: %s", key, quote(rw.get(col)))
		return
	}
	var missing []string
	for _, lang := range s.langs {
		if rw.get(langCol(col, lang)) == "" {
			missing = append(missing, lang)
		}
	}
	keyCell := rw.at(col)
	if len(missing) > 0 && len(missing) < len(s.langs) {
		keyCell = rw.at(langCol(col, missing[0]))
	}
	s.line(keyCell, indent, "%s:", key)
	for _, lang := range s.langs {
		v := rw.get(langCol(col, lang))
		if v != "" || len(missing) == len(s.langs) {
			s.line(rw.at(langCol(col, lang)), inner, "%s: %s", lang, quote(v))
		}
	}
}

func langCol(col, lang string) string {
	if lang == "en" {
		return col
	}
	return col + "::" + lang
}

// filled reports whether a text column of a row has a wording in any
// language.
func (s *source) filled(rw row, col string) bool {
	return slices.ContainsFunc(s.langs, func(l string) bool { return rw.get(langCol(col, l)) != "" })
}

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

// survey turns the rows read into a survey file.
func (r *reader) survey() *source {
	s := &source{langs: r.langs}
	// The same first line whatever the workbook is called: the version is
	// a hash of the file, and the same survey is the same version.
	s.line(cell{}, 0, "# Made from a survey workbook (iwtoolkit workbook --from): change the workbook, not this file.")

	var settings row
	for i, rw := range r.rows[sheetSettings] {
		if i == 0 {
			settings = rw
		} else if !rw.empty() {
			r.problem(cell{sheet: sheetSettings, row: rw.n}, "the settings sheet has one row of values, under the headers: move these to row 2")
		}
	}
	if settings.values == nil {
		settings = row{sheet: sheetSettings, n: 2, values: map[string]string{}, headers: map[string]string{}}
	}
	id, ok := fileName(settings.id("form_id"))
	if !ok {
		r.problem(settings.at("form_id"), "form_id %q must be the survey's id, as in its link: lowercase letters, digits and hyphens", settings.id("form_id"))
	}
	r.id = id
	if dl := strings.ToLower(settings.id("default_language")); dl != "" && dl != "en" && !strings.HasSuffix(dl, "(en)") && dl != "english" {
		r.problem(settings.at("default_language"), "the default language is always English (en): columns without :: are in English, and label::Cymraeg (cy) columns hold other languages")
	}
	s.text(0, "title", settings, "form_title")
	if v := settings.id("audience"); v != "" {
		s.line(settings.at("audience"), 0, "audience: %s", quote(v))
	}
	if v := settings.id("exit_page"); v != "" {
		s.line(settings.at("exit_page"), 0, "exit_page: %s", quote(v))
	}
	for _, col := range []string{"min_group_size", "round_counts_to"} {
		if n, ok := r.whole(settings, col); ok {
			s.line(settings.at(col), 0, "%s: %d", col, n)
		}
	}
	for _, col := range []string{"task_list", "invitation_only"} {
		if r.yesNo(settings, col) {
			s.line(settings.at(col), 0, "%s: true", col)
		}
	}
	if len(r.langs) > 1 {
		s.line(cell{sheet: sheetSettings}, 0, "languages: [%s]", strings.Join(r.langs, ", "))
	}

	texts := r.texts()
	for _, name := range []string{"introduction", "time_to_complete", "how_answers_are_used", "privacy_notice"} {
		if rw, ok := texts[name]; ok {
			s.text(0, name, rw, "text")
		}
	}
	help, hasHelp := texts["help_text"]
	contacts := nonEmpty(r.rows[sheetContacts])
	if hasHelp || len(contacts) > 0 {
		s.line(cell{sheet: sheetContacts}, 0, "help:")
		if hasHelp {
			s.text(1, "text", help, "text")
		}
		if len(contacts) > 0 {
			s.line(cell{sheet: sheetContacts}, 1, "contacts:")
		}
		for _, rw := range contacts {
			s.item(2, "name", rw, "name")
			for _, col := range []string{"phone", "website"} {
				if v := rw.id(col); v != "" {
					s.line(rw.at(col), 2, "  %s: %s", col, quote(v))
				}
			}
			s.text(3, "description", rw, "description")
		}
	}
	days := strings.Fields(strings.NewReplacer(",", " ", ";", " ").Replace(settings.get("reminder_days")))
	var emailRows []string
	for _, name := range textNames() {
		if _, ok := texts[name]; ok && strings.HasPrefix(name, "email_") {
			emailRows = append(emailRows, name)
		}
	}
	if len(emailRows) > 0 || len(days) > 0 {
		s.line(cell{sheet: sheetTexts}, 0, "email:")
		for _, name := range emailRows {
			s.text(1, strings.TrimPrefix(name, "email_"), texts[name], "text")
		}
		for _, d := range days {
			if _, err := strconv.Atoi(d); err != nil {
				r.problem(settings.at("reminder_days"), "%q is not a whole number of days: write the days apart, for example 7 14", d)
				days = nil
				break
			}
		}
		if len(days) > 0 {
			s.line(settings.at("reminder_days"), 1, "reminder_days: [%s]", strings.Join(days, ", "))
		}
	}
	if words := nonEmpty(r.rows[sheetWords]); len(words) > 0 {
		s.line(cell{sheet: sheetWords}, 0, "safeguarding_words:")
		for _, rw := range words {
			s.line(rw.at("word"), 1, "- %s", quote(rw.get("word")))
		}
	}

	if rounds := nonEmpty(r.rows[sheetRounds]); len(rounds) > 0 {
		s.line(cell{sheet: sheetRounds}, 0, "rounds:")
		for _, rw := range rounds {
			s.line(rw.at("id"), 1, "- id: %s", quote(rw.id("id")))
			s.text(2, "label", rw, "label")
			for _, col := range []string{"open", "practice"} {
				if r.yesNo(rw, col) {
					s.line(rw.at(col), 2, "%s: true", col)
				}
			}
		}
	}

	scales, lists := r.lists()
	if len(scales) > 0 {
		s.line(cell{sheet: sheetScales}, 0, "scales:")
	}
	for _, sc := range scales {
		name := sc.id("name")
		s.line(sc.at("name"), 1, "%s:", quote(name))
		// levels first: what the rules say of the whole scale is said at
		// its first line, which is then the scale's name.
		levels := lists[name]
		if len(levels) == 0 {
			s.line(sc.at("name"), 2, "levels: []")
		} else {
			s.line(sc.at("name"), 2, "levels:")
			for _, rw := range levels {
				n, err := strconv.Atoi(rw.id("name"))
				if err != nil {
					r.breaks(rw.at("name"), "a level of scale %q is a whole number (1, 2, 3…): %q is not", name, rw.id("name"))
				}
				s.line(rw.at("name"), 3, "- value: %d", n)
				s.text(4, "label", rw, "label")
				s.text(4, "descriptor", rw, "descriptor")
				if v := rw.id("face"); v != "" {
					s.line(rw.at("face"), 4, "face: %s", quote(v))
				}
				if s.filled(rw, "hint") {
					r.problem(rw.at("hint"), "a scale's level has no hint: write what the level looks like in practice under descriptor")
				}
			}
		}
		for _, col := range []string{"dont_know", "not_applicable"} {
			if r.yesNo(sc, col) {
				s.line(sc.at(col), 2, "%s: true", col)
			}
		}
	}

	sections := r.structure(scales, lists)
	tags := r.tags(sections)
	if len(sections) == 0 {
		s.line(cell{sheet: sheetSurvey}, 0, "sections: []")
	} else {
		s.line(cell{sheet: sheetSurvey}, 0, "sections:")
	}
	for _, sec := range sections {
		rw := sec.row
		s.line(rw.at("name"), 1, "- id: %s", quote(rw.id("name")))
		s.text(2, "title", rw, "label")
		if s.filled(rw, "hint") {
			s.text(2, "description", rw, "hint")
		}
		r.condition(s, 2, rw)
		if ts := tags[rw.id("name")]; len(ts) > 0 {
			s.line(ts[0].at("section"), 2, "tags:")
			for _, k := range tagKinds {
				first := true
				for _, t := range ts {
					if t.id("kind") != k.name {
						continue
					}
					if first {
						s.line(t.at("kind"), 3, "%s:", k.name)
						first = false
					}
					s.line(t.at("tag"), 4, "- %s", quote(strings.TrimSpace(t.get("tag"))))
				}
			}
		}
		if len(sec.questions) > 0 {
			s.line(rw.at("type"), 2, "questions:")
		}
		for _, q := range sec.questions {
			r.question(s, q, lists)
		}
	}
	return s
}

func nonEmpty(rows []row) []row {
	return slices.DeleteFunc(slices.Clone(rows), func(r row) bool { return r.empty() })
}

// texts reads the texts sheet, by name.
func (r *reader) texts() map[string]row {
	texts := map[string]row{}
	for _, rw := range nonEmpty(r.rows[sheetTexts]) {
		name := strings.ToLower(rw.id("name"))
		switch {
		case !slices.Contains(textNames(), name):
			if m, ok := nearest(name, textNames()); ok {
				r.problem(rw.at("name"), "%q is not a text the survey has: did you mean %s?", rw.id("name"), m)
			} else {
				r.problem(rw.at("name"), "%q is not a text the survey has (%s)", rw.id("name"), strings.Join(textNames(), ", "))
			}
		case texts[name].values != nil:
			r.problem(rw.at("name"), "%s is on the texts sheet twice (row %d too): keep one", name, texts[name].n)
		default:
			texts[name] = rw
		}
	}
	return texts
}

// lists reads the scales sheet and the choices sheet: the scales in order,
// and every list's rows by list_name.
func (r *reader) lists() ([]row, map[string][]row) {
	var scales []row
	seen := map[string]int{}
	for _, rw := range nonEmpty(r.rows[sheetScales]) {
		name := rw.id("name")
		if n, ok := seen[name]; ok {
			r.problem(rw.at("name"), "scale %q is on the scales sheet twice (row %d too): keep one", name, n)
			continue
		}
		seen[name] = rw.n
		scales = append(scales, rw)
	}
	lists := map[string][]row{}
	levelsOnly := map[string]bool{} // lists reported for a descriptor or face
	for _, rw := range nonEmpty(r.rows[sheetChoices]) {
		name := rw.id("list_name")
		if name == "" {
			r.problem(rw.at("list_name"), "list_name is required: the list this answer belongs to")
			continue
		}
		if _, scale := seen[name]; !scale && !levelsOnly[name] {
			for _, col := range []string{"descriptor", "face"} {
				if (col == "face" && rw.id(col) != "") || (col != "face" && r.filledAny(rw, col)) && !levelsOnly[name] {
					r.problem(rw.at(col), "only a scale's levels have a %s: add %s to the scales sheet, or leave the %s of list %s blank", col, name, col, name)
					levelsOnly[name] = true
				}
			}
		}
		lists[name] = append(lists[name], rw)
	}
	return scales, lists
}

func (r *reader) filledAny(rw row, col string) bool {
	return slices.ContainsFunc(r.langs, func(l string) bool { return rw.get(langCol(col, l)) != "" })
}

// tags reads the tags sheet, by section.
func (r *reader) tags(sections []*section) map[string][]row {
	ids := map[string]bool{}
	var names []string
	for _, s := range sections {
		ids[s.row.id("name")] = true
		names = append(names, s.row.id("name"))
	}
	kinds := make([]string, len(tagKinds))
	for i, k := range tagKinds {
		kinds[i] = k.name
	}
	tags := map[string][]row{}
	for _, rw := range nonEmpty(r.rows[sheetTags]) {
		sec, kind := rw.id("section"), rw.id("kind")
		switch {
		case !ids[sec]:
			hint := ""
			if m, ok := nearest(sec, names); ok {
				hint = ": did you mean " + m + "?"
			}
			r.problem(rw.at("section"), "%q is not the name of a section (a begin_group row of the survey sheet)%s", sec, hint)
		case !slices.Contains(kinds, kind):
			hint := " (" + strings.Join(kinds, ", ") + ")"
			if m, ok := nearest(kind, kinds); ok {
				hint = ": did you mean " + m + "?"
			}
			r.problem(rw.at("kind"), "%q is not a kind of tag%s", kind, hint)
		case strings.TrimSpace(rw.get("tag")) == "":
			r.problem(rw.at("tag"), "the tag is blank")
		default:
			tags[sec] = append(tags[sec], rw)
		}
	}
	return tags
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
			if a := rw.id("appearance"); a != "" && a != "table-list" {
				r.problem(rw.at("appearance"), "a group inside a section is a grid: give it appearance table-list")
			}
			r.only(rw, "a grid (begin_group inside a section)", "type", "name", "label", "hint", "required", "required_message", "relevant", "appearance", "prefer_not_to_say")
			grid = &question{row: rw, kind: survey.TypeGrid}
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
			case kind != "select_one":
				r.breaks(rw.at("type"), "a grid's statements are select_one SCALE, with a scale of the scales sheet")
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
		if !used[name] {
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

// types are what the type column can say, for suggestions.
var types = []string{"begin_group", "end_group", "select_one", "select_multiple", "integer", "text"}

func (r *reader) questionType(q *question, kind, list string, isScale map[string]bool, lists map[string][]row) {
	rw := q.row
	appearance := strings.ToLower(rw.id("appearance"))
	switch kind {
	case "select_one", "select_multiple":
		q.kind = survey.TypeChoice
		if kind == "select_multiple" {
			q.kind = survey.TypeMultiple
		}
		_, isPreset := survey.Presets[list]
		switch {
		case list == "":
			r.breaks(rw.at("type"), "%s needs the name of its list: %s LIST", kind, kind)
		case isScale[list] && kind == "select_one":
			q.kind, q.scale = survey.TypeScale, list
		case isScale[list]:
			r.breaks(rw.at("type"), "%q is a scale: a rating is select_one %s", list, list)
		case lists[list] != nil:
			q.list = list
		case list == "yes_no" && kind == "select_one":
			q.kind = survey.TypeYesNo
		case isPreset:
			q.preset = list
		default:
			names := []string{"yes_no"}
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
		if appearance != "" && appearance != "likert" || appearance == "likert" && q.kind != survey.TypeScale && !r.broken[rowKey{rw.sheet, rw.n}] {
			r.problem(rw.at("appearance"), "appearance %q is not one this toolkit uses here: leave it blank (likert is for a rating on a scale)", rw.id("appearance"))
		}
	case "integer":
		q.kind = survey.TypeNumber
		if appearance != "" {
			r.problem(rw.at("appearance"), "appearance %q is not one this toolkit uses: leave it blank", rw.id("appearance"))
		}
	case "text":
		q.kind = survey.TypeText
		switch appearance {
		case "":
		case "multiline":
			q.kind = survey.TypeLongText
		default:
			r.problem(rw.at("appearance"), "appearance %q is not one this toolkit uses: multiline for a box of text, or blank for a line", rw.id("appearance"))
		}
	default:
		hint := "begin_group, end_group, select_one LIST, select_multiple LIST, integer, or text (appearance multiline for a box of text)"
		if kind == "decimal" {
			hint = "integer: this toolkit asks for whole numbers only"
		} else if m, ok := nearest(kind, types); ok {
			hint = m + "?"
		}
		r.breaks(rw.at("type"), "%q is not a type this toolkit can ask: did you mean %s", rw.id("type"), hint)
		q.kind = "unknown"
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
	for _, col := range []string{"pattern", "breakdown"} {
		if v := rw.get(col); v != "" {
			if col == "breakdown" {
				v = strings.TrimSpace(v)
			}
			s.line(rw.at(col), 4, "%s: %s", col, quote(v))
		}
	}
	r.condition(s, 4, rw)
	if q.kind == survey.TypeGrid {
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

// parseProblem reports what survey.Parse said of a line at the cell the
// line came from, in the workbook's words.
func (r *reader) parseProblem(s *source, p survey.Problem) {
	msg := reword(p.Message)
	var c cell
	if p.Line >= 1 && p.Line <= len(s.cells) {
		c = s.cells[p.Line-1]
	}
	if c.sheet == "" {
		c = rootCell(msg)
	}
	if c.row > 0 && r.broken[rowKey{c.sheet, c.row}] {
		return // follows from the problem already reported in this row
	}
	r.problems = append(r.problems, Problem{Sheet: c.sheet, Row: c.row, Column: c.column, Message: msg})
}

// rootCell places a problem of the whole survey on its sheet.
func rootCell(msg string) cell {
	for _, p := range []struct{ prefix, sheet, column string }{
		{"rounds:", sheetRounds, ""},
		{"scales:", sheetScales, ""},
		{"sections:", sheetSurvey, ""},
		{"form_id", sheetSettings, "form_id"},
		{"form_title", sheetSettings, "form_title"},
		{"audience", sheetSettings, "audience"},
		{"introduction", sheetTexts, ""},
		{"how_answers_are_used", sheetTexts, ""},
		{"privacy_notice", sheetTexts, ""},
	} {
		if strings.HasPrefix(msg, p.prefix) {
			if p.sheet == sheetSettings {
				return cell{p.sheet, 2, p.column}
			}
			return cell{sheet: p.sheet}
		}
	}
	return cell{}
}

var rewordings = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`^the file name "(.*)\.yaml" must be a survey id: (.*), then \.yaml$`), `form_id "$1" must be $2`},
	{regexp.MustCompile(`^title is required$`), `form_title is required`},
	{regexp.MustCompile(`^(introduction|how_answers_are_used) is required$`), `$1 is required: add a row named $1 with its text`},
	{regexp.MustCompile(`^privacy_notice \(for children and young people\) is required$`), `privacy_notice is required for children and young people: add a row named privacy_notice with its text`},
	{regexp.MustCompile(`^\w+ has no (\w+) wording$`), `there is no $1 wording: write it in this cell`},
	{regexp.MustCompile(`^(question|statement) text is required$`), `label is required: the $1's wording`},
	{regexp.MustCompile(`^section title is required$`), `label is required: the section's title`},
	{regexp.MustCompile(`^show_if needs answer_is.*`), `relevant needs an answer: ${question} = 'answer'`},
	{regexp.MustCompile(`show_if: `), `relevant: `},
	{regexp.MustCompile(`must be optional$`), `must not be required: leave required blank`},
	{regexp.MustCompile(`can be left blank instead: make it optional$`), `can be left blank instead: leave prefer_not_to_say and required blank`},
	{regexp.MustCompile(`needs a preset or at least two options$`), `needs at least two answers on the choices sheet (list_name as in its type), or a preset list: sectors, roles or workforce`},
	{regexp.MustCompile(`is not defined under scales$`), `is not on the scales sheet`},
	{regexp.MustCompile(`use the question's none or prefer_not_to_say instead$`), `use the question's none or prefer_not_to_say column instead`},
	{regexp.MustCompile(`^(\w+) id (".*") (is used twice|must be)`), `name $2 $3`},
}

// reword says a problem in the workbook's words: its columns rather than a
// survey file's fields.
func reword(msg string) string {
	for _, w := range rewordings {
		msg = w.re.ReplaceAllString(msg, w.with)
	}
	return msg
}
