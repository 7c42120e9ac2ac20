package report

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"iwtoolkit/internal/stats"
)

// Charts are built with go-echarts and handed to the page as JSON options,
// never as go-echarts' own HTML snippets: those carry inline script and
// style (which the Content-Security-Policy blocks) and do not escape labels.
// A static script feeds the JSON to ECharts.

// commonOptions are shared by every chart: no animation, a legend, a
// description for screen readers, and decal patterns so that series differ
// without colour.
func commonOptions(description string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithAnimation(false),
		charts.WithColorsOpts(palette),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithAriaOpts(&opts.Aria{
			Enabled: opts.Bool(true),
			Label:   &opts.AriaLabel{Enabled: opts.Bool(true), Description: description},
			Decal:   &opts.AriaDecal{Show: opts.Bool(true)},
		}),
	}
}

// palette is GOV.UK colours that each have at least 3:1 contrast against
// white, as WCAG asks of graphics.
var palette = opts.Colors{"#1d70b8", "#912b88", "#00703c", "#4c2c92", "#505a5f"}

// textColour is GOV.UK's text colour: ECharts' default grey is too faint.
const textColour = "#0b0c0c"

// wrap breaks a label into lines of about width characters at spaces, as
// ECharts does not wrap axis labels itself.
func wrap(s string, width int) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(s) {
		if i > 0 && line+1+len(word) > width {
			b.WriteByte('\n')
			line = 0
		} else if i > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	return b.String()
}

// shownRounds returns the indexes of the rounds whose figures are shown.
func (c *Comparison) shownRounds() []int {
	var idx []int
	for i, r := range c.Rounds {
		if !r.Suppressed {
			idx = append(idx, i)
		}
	}
	return idx
}

// round2 keeps charts' numbers to the decimals the tables show: stats'
// one rounding.
func round2(f float64) float64 { return stats.Round(f) }

// BarChart is the mean of each strand as grouped bars, one bar per round.
// The bars run across, so that strand names can be read in full.
func (c *Comparison) BarChart() ([]byte, error) {
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(commonOptions(c.description("Bar chart")),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "Mean rating", NameLocation: "middle", NameGap: 30, Min: c.scaleMin(), Max: c.scaleMax()}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0", Color: textColour}}),
		charts.WithGridOpts(opts.Grid{ContainLabel: opts.Bool(true), Left: "10", Right: "20", Bottom: "60"}),
	)...)
	names := make([]string, len(c.Strands))
	for i, s := range c.Strands {
		names[i] = s.Section.Title
	}
	bar.SetXAxis(names).XYReversal()
	for _, ri := range c.shownRounds() {
		data := make([]opts.BarData, len(c.Strands))
		for i, s := range c.Strands {
			data[i] = opts.BarData{Name: names[i], Value: c.value(s.Figures[ri])}
		}
		bar.AddSeries(c.Rounds[ri].Round.Label, data)
	}
	return chartJSON(bar, nil)
}

// RadarChart is the same figures as a radar, one outline per round.
func (c *Comparison) RadarChart() ([]byte, error) {
	radar := charts.NewRadar()
	indicators := make([]*opts.Indicator, len(c.Strands))
	for i, s := range c.Strands {
		indicators[i] = &opts.Indicator{Name: wrap(s.Section.Title, 16), Min: float32(c.scaleMin()), Max: float32(c.scaleMax())}
	}
	radar.SetGlobalOptions(append(commonOptions(c.description("Radar chart")),
		charts.WithRadarComponentOpts(opts.RadarComponent{
			Indicator: indicators, Shape: "polygon", SplitNumber: c.scaleMax() - c.scaleMin(),
			AxisName: &opts.AxisName{Color: textColour, FontSize: 12, LineHeight: 15},
		}),
	)...)
	for _, ri := range c.shownRounds() {
		values := make([]any, len(c.Strands))
		for i, s := range c.Strands {
			values[i] = c.value(s.Figures[ri])
		}
		radar.AddSeries(c.Rounds[ri].Round.Label, []opts.RadarData{{Name: c.Rounds[ri].Round.Label, Value: values}})
	}
	// Room for the strand names around the radar: go-echarts has no field
	// for its radius.
	return chartJSON(radar, func(options map[string]any) error {
		r, err := asMap(options["radar"])
		if err != nil {
			return err
		}
		r["radius"], r["center"] = "60%", []string{"50%", "48%"}
		options["radar"] = r
		return nil
	})
}

// value is a mean for a chart; "-" is ECharts' mark for no value.
func (c *Comparison) value(f Figures) any {
	if f.Scored == 0 {
		return "-"
	}
	return round2(f.Mean)
}

func (c *Comparison) description(kind string) string {
	return fmt.Sprintf("%s of the mean level of each strand by round. The same figures are in the table that follows.", kind)
}

// scaleMin and scaleMax bound the axes by the lowest and highest level of the
// scales the strands use.
func (c *Comparison) scaleMin() int {
	m := math.MaxInt
	for _, d := range c.Sections {
		m = min(m, d.Scale.Levels[0].Value)
	}
	return m
}

func (c *Comparison) scaleMax() int {
	m := math.MinInt
	for _, d := range c.Sections {
		m = max(m, d.Scale.Levels[len(d.Scale.Levels)-1].Value)
	}
	return m
}

type chart interface {
	Validate()
	JSON() map[string]any
}

// chartJSON turns a chart into ECharts options as JSON. adjust, if not nil,
// sets options that go-echarts has no fields for.
func chartJSON(ch chart, adjust func(map[string]any) error) ([]byte, error) {
	ch.Validate()
	options := ch.JSON()
	// go-echarts adds its own bookkeeping that ECharts does not read.
	for _, k := range []string{"assets", "chartID", "renderer", "theme", "initialization"} {
		delete(options, k)
	}
	// Rich-text tooltips need no inline HTML styles, which the CSP blocks;
	// go-echarts has no field for the render mode.
	options["tooltip"] = map[string]any{"show": true, "renderMode": "richText"}
	// A button to download the chart as an image. The charts are drawn as
	// SVG, which is what ECharts saves from an SVG chart.
	options["toolbox"] = map[string]any{"show": true, "right": 10, "feature": map[string]any{
		"saveAsImage": map[string]any{"show": true, "type": "svg", "title": "Download as image"},
	}}
	if adjust != nil {
		if err := adjust(options); err != nil {
			return nil, fmt.Errorf("report: chart options: %w", err)
		}
	}
	b, err := json.Marshal(options)
	if err != nil {
		return nil, fmt.Errorf("report: chart options: %w", err)
	}
	return b, nil
}

// asMap turns one of go-echarts' option structs into a map, to add to it.
func asMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	return m, json.Unmarshal(b, &m)
}

// roundTrip copies v into out through JSON.
func roundTrip(v, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
