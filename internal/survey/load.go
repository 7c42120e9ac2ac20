package survey

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
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

// Catalogue is every survey the service serves, by ID, and in ID order.
type Catalogue struct {
	byID map[string]*Definition
	all  []*Definition
}

// Survey returns the survey with the given ID.
func (c *Catalogue) Survey(id string) (*Definition, bool) {
	d, ok := c.byID[id]
	return d, ok
}

// All returns every survey in ID order.
func (c *Catalogue) All() []*Definition { return c.all }

// LoadDir reads every *.yaml file in dir of fsys. It returns Problems
// listing everything wrong in every file, or a catalogue of valid surveys.
// dir is used in the problems' file names.
func LoadDir(fsys fs.FS, dir string) (*Catalogue, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("survey: read folder %s: %w", dir, err)
	}
	c := &Catalogue{byID: map[string]*Definition{}}
	var problems Problems
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("survey: %w", err)
		}
		d, ps := Parse(path.Join(dir, e.Name()), data)
		problems = append(problems, ps...)
		if d != nil {
			c.byID[d.ID] = d
			c.all = append(c.all, d)
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	if len(c.all) == 0 {
		return nil, Problems{{File: dir, Line: 0, Message: "no survey files (*.yaml) in this folder"}}
	}
	sort.Slice(c.all, func(i, j int) bool { return c.all[i].ID < c.all[j].ID })
	return c, nil
}

// LoadFile reads one survey file of fsys, as LoadDir reads a folder of
// them; dir is used in the problems' file names.
func LoadFile(fsys fs.FS, name, dir string) (*Catalogue, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("survey: %w", err)
	}
	d, ps := Parse(path.Join(dir, name), data)
	if len(ps) > 0 {
		return nil, ps
	}
	return &Catalogue{byID: map[string]*Definition{d.ID: d}, all: []*Definition{d}}, nil
}

// Parse reads one survey file. The survey's ID is the file's base name
// without .yaml. It returns the definition, or nil and every problem found.
func Parse(file string, data []byte) (*Definition, Problems) {
	problemAt := func(line int, msg string) Problems {
		return Problems{{File: file, Line: line, Message: msg}}
	}
	tree, err := parseBytes(data)
	if err != nil {
		return nil, problemAt(plainYAML(data, yamlErrorLine(err), yamlErrorMessage(err)))
	}
	var langs struct {
		Languages []string `yaml:"languages"`
	}
	_ = nodeToValue(documentBody(tree), &langs) // a bad list is reported below
	// Texts must have every language of the survey the service speaks (the
	// validator reports any other).
	want := slices.DeleteFunc(slices.Clone(langs.Languages), func(l string) bool {
		return !slices.ContainsFunc(Languages, func(o Option) bool { return o.Value == l })
	})
	tr := &translator{file: file, report: true, want: slices.Compact(want)}
	d, ps := decode(tree, tr, "en")
	if ps != nil {
		for i := range ps {
			ps[i].Line, ps[i].Message = plainYAML(data, ps[i].Line, ps[i].Message)
		}
		return nil, ps
	}
	sum := sha256.Sum256(data)
	d.Version = hex.EncodeToString(sum[:6])
	d.Warnings = hashWarnings(file, data)
	d.ID = strings.TrimSuffix(path.Base(file), ".yaml")
	d.File = file

	v := &validator{}
	v.definition(d)
	problems := tr.problems
	for _, p := range v.problems {
		problems = append(problems, Problem{File: file, Line: lineOf(tree, p.at), Message: p.message})
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
		return nil, problems
	}

	// Each translation is the same file read again, taking the other
	// language's wording; it was checked complete above.
	d.translations = map[string]*Definition{"en": d}
	for _, lang := range d.Languages[1:] {
		t, _ := parseBytes(data)
		td, ps := decode(t, &translator{file: file}, lang)
		if ps != nil {
			return nil, ps
		}
		td.ID, td.Version, td.File, td.translations = d.ID, d.Version, d.File, d.translations
		v := &validator{}
		v.definition(td) // fills presets and defaults as for English
		d.translations[lang] = td
	}
	return d, nil
}

// decode turns the file's tree into a definition in one language.
func decode(tree *ast.File, tr *translator, lang string) (*Definition, Problems) {
	body := documentBody(tree)
	tr.lang = lang
	tr.walk(body)
	var d Definition
	if err := nodeToValue(body, &d, yaml.DisallowUnknownField()); err != nil {
		return nil, Problems{{File: tr.file, Line: yamlErrorLine(err), Message: yamlErrorMessage(err)}}
	}
	d.Lang = lang
	return &d, nil
}

// parseBytes and nodeToValue are the YAML library's parser and decoder,
// with a panic in the library returned as an error: go-yaml v1.19.2
// dereferences nil in NodeToValue on some malformed files (FuzzParse
// found one: testdata/crash), and a bad survey file must stop start-up
// with a message, not a crash. Where in the file the library failed is not
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
	c := &Catalogue{byID: map[string]*Definition{}}
	for _, d := range defs {
		c.byID[d.ID] = d
		c.all = append(c.all, d)
	}
	return c
}
