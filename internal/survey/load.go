package survey

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Problem is one thing wrong in a survey file, at a line.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message) }

// Problems is every problem found in a folder of survey files. Its message
// lists them one a line, as file:line: what is wrong.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Catalogue is every survey the service serves, by ID, and in ID order,
// and the survey files it refused, each with its problems. It is shared
// by every part of the service and may change while it serves: Put
// replaces a survey's definition (a version published on the staff pages,
// on this instance or another). Each read sees one whole snapshot, from
// memory.
type Catalogue struct {
	snap atomic.Pointer[snapshot]
}

type snapshot struct {
	byID    map[string]*Definition
	all     []*Definition
	refused []Refusal
}

func (c *Catalogue) now() *snapshot {
	if s := c.snap.Load(); s != nil {
		return s
	}
	return &snapshot{}
}

// Refusal is a survey file that has problems: its survey is not served,
// and the other surveys are. Its ID is the one the file would have given
// its survey (the file's base name), for saying so on its pages.
type Refusal struct {
	ID       string
	File     string
	Problems Problems
}

// Survey returns the survey with the given ID.
func (c *Catalogue) Survey(id string) (*Definition, bool) {
	d, ok := c.now().byID[id]
	return d, ok
}

// All returns every survey in ID order.
func (c *Catalogue) All() []*Definition { return c.now().all }

// Refused returns the survey files refused for their problems, in file
// order.
func (c *Catalogue) Refused() []Refusal { return c.now().refused }

// RefusedSurvey says whether the survey with the given ID is not served
// because its file has problems.
func (c *Catalogue) RefusedSurvey(id string) bool {
	s := c.now()
	_, served := s.byID[id]
	return !served && slices.ContainsFunc(s.refused, func(r Refusal) bool { return r.ID == id })
}

// Put serves d in place of the survey with its ID, or as a new survey:
// requests that start after it read d. A refusal of a file for that ID
// stays listed (its problems are still the file's), but the survey is
// served.
func (c *Catalogue) Put(d *Definition) {
	for {
		old := c.snap.Load()
		next := &snapshot{byID: map[string]*Definition{}}
		if old != nil {
			maps.Copy(next.byID, old.byID)
			next.refused = old.refused
		}
		next.byID[d.ID] = d
		for _, e := range next.byID {
			next.all = append(next.all, e)
		}
		sort.Slice(next.all, func(i, j int) bool { return next.all[i].ID < next.all[j].ID })
		if c.snap.CompareAndSwap(old, next) {
			return
		}
	}
}

// Problems returns every problem in every refused file, file by file; none
// when every file was valid.
func (c *Catalogue) Problems() Problems {
	var ps Problems
	for _, r := range c.now().refused {
		ps = append(ps, r.Problems...)
	}
	return ps
}

// LoadDir reads every *.yaml file in dir of fsys. A file with problems is
// refused on its own (Catalogue.Refused lists each with its problems) and
// the rest are served: one broken file never stops the others. The error
// is for a folder that cannot be read or holds no survey files. dir is
// used in the problems' file names.
func LoadDir(fsys fs.FS, dir string) (*Catalogue, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("survey: read folder %s: %w", dir, err)
	}
	c := &snapshot{byID: map[string]*Definition{}}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		if err := c.load(fsys, e.Name(), dir); err != nil {
			return nil, err
		}
	}
	if len(c.all) == 0 && len(c.refused) == 0 {
		return nil, Problems{{File: dir, Line: 0, Message: "no survey files (*.yaml) in this folder"}}
	}
	sort.Slice(c.all, func(i, j int) bool { return c.all[i].ID < c.all[j].ID })
	return c.catalogue(), nil
}

// LoadFile reads one survey file of fsys, as LoadDir reads a folder of
// them; dir is used in the problems' file names.
func LoadFile(fsys fs.FS, name, dir string) (*Catalogue, error) {
	c := &snapshot{byID: map[string]*Definition{}}
	if err := c.load(fsys, name, dir); err != nil {
		return nil, err
	}
	return c.catalogue(), nil
}

// load adds one file's survey to the catalogue, or its refusal.
func (c *snapshot) catalogue() *Catalogue {
	cat := &Catalogue{}
	cat.snap.Store(c)
	return cat
}

func (c *snapshot) load(fsys fs.FS, name, dir string) error {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("survey: %w", err)
	}
	file := path.Join(dir, name)
	d, ps := Parse(file, data)
	if len(ps) > 0 {
		c.refused = append(c.refused, Refusal{ID: strings.TrimSuffix(name, ".yaml"), File: file, Problems: ps})
		return nil
	}
	c.byID[d.ID] = d
	c.all = append(c.all, d)
	return nil
}

// Parse reads one survey file. The survey's ID is the file's base name
// without .yaml. It returns the definition, or nil and every problem found.
func Parse(file string, data []byte) (*Definition, Problems) {
	data, slipped, ok := readable(file, data)
	if !ok {
		return nil, slipped
	}
	var langs struct {
		Languages []string `yaml:"languages"`
	}
	tree, _ := parseBytes(data)
	_ = nodeToValue(documentBody(tree), &langs) // a bad list is reported below
	// Texts must have every language of the survey the service speaks (the
	// validator reports any other).
	want := slices.DeleteFunc(slices.Clone(langs.Languages), func(l string) bool {
		return !slices.ContainsFunc(Languages, func(o Option) bool { return o.Value == l })
	})
	tr := &translator{file: file, report: true, want: slices.Compact(want)}
	d, tree, ps, wrongKind := decodeAll(data, tr, "en")
	problems := slices.Concat(slipped, ps)
	if d == nil || wrongKind {
		// A value of the wrong kind was left out: what validation would
		// say of the survey without it could mislead.
		return nil, byLine(append(problems, tr.problems...), slipped)
	}
	sum := sha256.Sum256(data)
	d.Version = hex.EncodeToString(sum[:6])
	d.Warnings = hashWarnings(file, data)
	d.ID = strings.TrimSuffix(path.Base(file), ".yaml")
	d.File = file

	v := &validator{}
	v.definition(d)
	problems = append(problems, tr.problems...)
	for _, p := range v.problems {
		problems = append(problems, Problem{File: file, Line: lineOf(tree, p.at), Message: p.message})
	}
	if len(problems) > 0 {
		return nil, byLine(problems, slipped)
	}

	// Each translation is the same file read again, taking the other
	// language's wording; it was checked complete above.
	d.translations = map[string]*Definition{"en": d}
	d.keepMemos()
	for _, lang := range d.Languages[1:] {
		t, _ := parseBytes(data)
		td, err := decode(t, &translator{file: file}, lang)
		if err != nil { // it decoded in English
			return nil, Problems{{File: file, Line: yamlErrorLine(err), Message: yamlErrorMessage(err)}}
		}
		td.ID, td.Version, td.File, td.translations = d.ID, d.Version, d.File, d.translations
		v := &validator{}
		v.definition(td) // fills presets and defaults as for English
		td.keepMemos()
		d.translations[lang] = td
	}
	return d, nil
}

// readable returns a file the YAML library can read: the file itself, or,
// when the library cannot read it, a copy with the common slips mended
// (slips.go) and each slip as a problem at its line, so that reading goes
// on to find the other problems. ok is false when the file cannot be read
// even so: the problems are then every slip and what stopped the library.
func readable(file string, data []byte) (_ []byte, slipped Problems, ok bool) {
	_, err := parseBytes(data)
	if err == nil {
		return data, nil, true
	}
	slips, mended := findSlips(strings.Split(string(data), "\n"))
	firstUnmended := math.MaxInt
	for _, s := range slips {
		slipped = append(slipped, Problem{File: file, Line: s.line, Message: s.message})
		if !s.mended {
			firstUnmended = min(firstUnmended, s.line)
		}
	}
	if len(slips) > 0 {
		data = []byte(strings.Join(mended, "\n"))
		if _, err = parseBytes(data); err == nil {
			return data, slipped, true
		}
	}
	// What stops the library is another mistake, unless it comes after a
	// slip that could not be mended (it is then most likely that slip).
	line, msg := plainYAML(data, yamlErrorLine(err), yamlErrorMessage(err))
	if line < firstUnmended {
		return nil, byLine(append(slipped, Problem{File: file, Line: line, Message: msg}), slipped), false
	}
	return nil, slipped, false
}

// byLine sorts problems by line, leaving out any on the line of a slip
// other than the slip itself: what the mended copy makes of that line is
// not the writer's mistake.
func byLine(problems, slipped Problems) Problems {
	out := problems[:0:0]
	for _, p := range problems {
		if !slices.Contains(slipped, p) && slices.ContainsFunc(slipped, func(s Problem) bool { return s.Line == p.Line }) {
			continue
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return slices.Compact(out)
}

// decodeAll decodes the file in one language, going on past each field
// the file should not have and each value of the wrong kind: each is a
// problem, in plain words, and the field is left out so that the next is
// found. Unknown fields are all found in one walk of the tree; a value of
// the wrong kind stops the library, so the file is decoded again past each,
// up to a limit. wrongKind says a value was of the wrong kind. It returns
// the definition (nil if decoding could not go on) and the tree it was
// decoded from.
func decodeAll(data []byte, tr *translator, lang string) (d *Definition, tree *ast.File, problems Problems, wrongKind bool) {
	var left []token.Position
	for range 20 {
		tree, _ = parseBytes(data)
		leaveOut(documentBody(tree), left)
		tr.problems = nil
		tr.lang = lang
		tr.walk(documentBody(tree))
		if len(left) == 0 {
			for _, mv := range unknownFields(documentBody(tree), reflect.TypeOf(Definition{})) {
				tk := mv.Key.GetToken()
				line, msg := plainYAML(data, tk.Position.Line, fmt.Sprintf("unknown field %q", tk.Value))
				problems = append(problems, Problem{File: tr.file, Line: line, Message: msg})
				left = append(left, *tk.Position)
			}
			leaveOut(documentBody(tree), left)
		}
		d, err := decodeBody(documentBody(tree), lang)
		if err == nil {
			return d, tree, problems, wrongKind
		}
		line, msg := plainYAML(data, yamlErrorLine(err), yamlErrorMessage(err))
		problems = append(problems, Problem{File: tr.file, Line: line, Message: msg})
		var ye yaml.Error
		if !errors.As(err, &ye) || ye.GetToken() == nil || slices.Contains(left, *ye.GetToken().Position) {
			return nil, tree, problems, true
		}
		wrongKind = true
		left = append(left, *ye.GetToken().Position)
		if !leaveOut(documentBody(tree), left[len(left)-1:]) {
			return nil, tree, problems, true
		}
	}
	return nil, tree, problems, true
}

// unknownFields finds in a tree every field that the type it decodes into
// does not have. The tree's texts must be in one
// language already (translator.walk).
func unknownFields(n ast.Node, t reflect.Type) []*ast.MappingValueNode {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var unknown []*ast.MappingValueNode
	switch t.Kind() {
	case reflect.Slice:
		if seq, ok := n.(*ast.SequenceNode); ok {
			for _, item := range seq.Values {
				unknown = append(unknown, unknownFields(item, t.Elem())...)
			}
		}
	case reflect.Map:
		for _, mv := range pairs(n) {
			unknown = append(unknown, unknownFields(mv.Value, t.Elem())...)
		}
	case reflect.Struct:
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name != "" && name != "-" {
				fields[name] = t.Field(i).Type
			}
		}
		for _, mv := range pairs(n) {
			if ft, ok := fields[mv.Key.GetToken().Value]; ok {
				unknown = append(unknown, unknownFields(mv.Value, ft)...)
			} else {
				unknown = append(unknown, mv)
			}
		}
	}
	return unknown
}

// leaveOut takes out of the tree each field whose name or value is at one
// of the places given, and says whether it took one out.
func leaveOut(n ast.Node, at []token.Position) bool {
	here := func(n ast.Node) bool {
		if n == nil || n.GetToken() == nil {
			return false
		}
		p := n.GetToken().Position
		return slices.ContainsFunc(at, func(a token.Position) bool { return a.Line == p.Line && a.Column == p.Column })
	}
	took := false
	switch n := n.(type) {
	case *ast.MappingNode:
		n.Values = slices.DeleteFunc(n.Values, func(mv *ast.MappingValueNode) bool {
			if here(mv.Key) || here(mv.Value) {
				took = true
				return true
			}
			return false
		})
		for _, mv := range n.Values {
			took = leaveOut(mv.Value, at) || took
		}
	case *ast.MappingValueNode:
		if here(n.Key) || here(n.Value) {
			return false // a mapping of this one field: left as it is
		}
		took = leaveOut(n.Value, at)
	case *ast.SequenceNode:
		for _, item := range n.Values {
			took = leaveOut(item, at) || took
		}
	}
	return took
}

// decode turns the file's tree into a definition in one language.
func decode(tree *ast.File, tr *translator, lang string) (*Definition, error) {
	tr.lang = lang
	tr.walk(documentBody(tree))
	return decodeBody(documentBody(tree), lang)
}

// decodeBody decodes a tree whose texts are in one language already.
func decodeBody(body ast.Node, lang string) (*Definition, error) {
	var d Definition
	if err := nodeToValue(body, &d, yaml.DisallowUnknownField()); err != nil {
		return nil, err
	}
	d.Lang = lang
	return &d, nil
}

// parseBytes and nodeToValue are the YAML library's parser and decoder,
// with a panic in the library returned as an error: go-yaml v1.19.2
// dereferences nil in NodeToValue on some malformed files (FuzzParse
// found one: testdata/crash), and a bad survey file must be refused
// with a message, not crash the service. Where in the file the library failed is not
// known, so the error has no line (line 1).
func parseBytes(data []byte) (f *ast.File, err error) {
	defer recoverYAML(&err)
	return parser.ParseBytes(data, 0)
}

func nodeToValue(node ast.Node, v any, opts ...yaml.DecodeOption) (err error) {
	defer recoverYAML(&err)
	return yaml.NodeToValue(node, v, opts...)
}

func recoverYAML(err *error) {
	if recover() != nil {
		*err = errors.New("this file cannot be read as YAML: check its indentation, that each item of a list starts with a dash, and its quotes")
	}
}

// textFields are the fields whose wording respondents read. Each may be a
// plain string (English) or a mapping from language code to wording.
var textFields = map[string]bool{
	"title": true, "introduction": true, "time_to_complete": true, "how_answers_are_used": true,
	"privacy_notice": true, "safeguarding_notice": true, "text": true, "hint": true, "label": true, "descriptor": true,
	"description": true, "none": true, "pattern_message": true, "name": true, "error": true,
	// words: (definition.go, Words)
	"optional_question": true, "prefer_not_to_say_answer": true, "text_limit": true, "no_answer": true,
	// email: (definition.go, Email)
	"asking": true, "subject": true, "body": true, "reminder_subject": true, "reminder_body": true,
}

// translator replaces every translated text in a file's tree by its
// wording in one language, and (when want is set) reports a text that
// lacks one of the survey's languages.
type translator struct {
	file     string
	lang     string
	want     []string // the survey's languages
	report   bool     // report problems: only the English pass does
	problems Problems
}

func (t *translator) walk(n ast.Node) {
	switch n := n.(type) {
	case *ast.SequenceNode:
		for _, item := range n.Values {
			t.walk(item)
		}
	default:
		for _, mv := range pairs(n) {
			if textFields[mv.Key.GetToken().Value] {
				t.text(mv)
			} else {
				t.walk(mv.Value)
			}
		}
	}
}

// pairs are a mapping's key-value pairs (a mapping of one pair may be
// parsed as the pair alone).
func pairs(n ast.Node) []*ast.MappingValueNode {
	switch n := n.(type) {
	case *ast.MappingNode:
		return n.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{n}
	}
	return nil
}

func (t *translator) text(mv *ast.MappingValueNode) {
	line := mv.Key.GetToken().Position.Line
	field := mv.Key.GetToken().Value
	wordings := pairs(mv.Value)
	if wordings == nil {
		if len(t.want) > 1 {
			t.problem(line, "%s has no %s wording: write it as a mapping from language to wording (en: …, %s: …)", field, strings.Join(t.want[1:], " or "), t.want[1])
		}
		return
	}
	byLang := map[string]ast.Node{}
	for _, w := range wordings {
		lang := w.Key.GetToken().Value
		if !slices.ContainsFunc(Languages, func(o Option) bool { return o.Value == lang }) {
			t.problem(w.Key.GetToken().Position.Line, "%s: %q is not a language the service speaks (%s)", field, lang, languageCodes())
		}
		byLang[lang] = w.Value
	}
	want := t.want
	if len(want) == 0 {
		want = []string{"en"}
	}
	for _, lang := range want {
		if _, ok := byLang[lang]; !ok {
			t.problem(line, "%s has no %s wording", field, lang)
		}
	}
	if w, ok := byLang[t.lang]; ok {
		mv.Value = w
	} else if w, ok := byLang["en"]; ok {
		mv.Value = w
	}
}

func (t *translator) problem(line int, format string, args ...any) {
	if !t.report {
		return
	}
	t.problems = append(t.problems, Problem{File: t.file, Line: line, Message: fmt.Sprintf(format, args...)})
}

func languageCodes() string {
	codes := make([]string, len(Languages))
	for i, l := range Languages {
		codes[i] = l.Value
	}
	return strings.Join(codes, ", ")
}

func documentBody(f *ast.File) ast.Node {
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return &ast.NullNode{}
	}
	return f.Docs[0].Body
}

func yamlErrorLine(err error) int {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		return ye.GetToken().Position.Line
	}
	return 1
}

func yamlErrorMessage(err error) string {
	var ye yaml.Error
	if errors.As(err, &ye) {
		return ye.GetMessage()
	}
	return err.Error()
}

// at is a place in a survey file: field names and list indexes from the top.
type at []any

func (a at) key(name string) at { return append(a[:len(a):len(a)], name) }
func (a at) index(i int) at     { return append(a[:len(a):len(a)], i) }

// lineOf finds the line of a place in the file. A place that is missing (a
// required field left out) is reported at the line of the nearest enclosing
// place that exists.
func lineOf(f *ast.File, a at) int {
	for n := len(a); n > 0; n-- {
		b := (&yaml.PathBuilder{}).Root()
		for _, part := range a[:n] {
			switch p := part.(type) {
			case string:
				b = b.Child(p)
			case int:
				b = b.Index(uint(p))
			}
		}
		node, err := b.Build().FilterFile(f)
		if err == nil && node != nil && node.GetToken() != nil {
			return node.GetToken().Position.Line
		}
	}
	return 1
}

// NewCatalogue is a catalogue of definitions already loaded, for tests and
// tools that make their own.
func NewCatalogue(defs ...*Definition) *Catalogue {
	c := &snapshot{byID: map[string]*Definition{}}
	for _, d := range defs {
		c.byID[d.ID] = d
		c.all = append(c.all, d)
	}
	return c.catalogue()
}
