package survey

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
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

// Parse reads one survey file. The survey's ID is the file's base name
// without .yaml. It returns the definition, or nil and every problem found.
func Parse(file string, data []byte) (*Definition, Problems) {
	problemAt := func(line int, msg string) Problems {
		return Problems{{File: file, Line: line, Message: msg}}
	}
	tree, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, problemAt(yamlErrorLine(err), yamlErrorMessage(err))
	}
	var d Definition
	if err := yaml.NodeToValue(documentBody(tree), &d, yaml.DisallowUnknownField()); err != nil {
		return nil, problemAt(yamlErrorLine(err), yamlErrorMessage(err))
	}
	d.ID = strings.TrimSuffix(path.Base(file), ".yaml")
	d.File = file
	sum := sha256.Sum256(data)
	d.Version = hex.EncodeToString(sum[:6])

	v := &validator{}
	v.definition(&d)
	if len(v.problems) == 0 {
		return &d, nil
	}
	ps := make(Problems, len(v.problems))
	for i, p := range v.problems {
		ps[i] = Problem{File: file, Line: lineOf(tree, p.at), Message: p.message}
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
	return nil, ps
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
