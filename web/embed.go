// Package assets (the folder web/) holds the page templates and static assets, embedded in the
// binary so that the service needs no files besides its surveys and no
// internet at run time.
package assets

import "embed"

// Templates are the page templates: layout.html, partials/ and one file a page.
//
//go:embed templates
var Templates embed.FS

// Static is served under /static: GOV.UK Frontend, ECharts and the
// service's own CSS and scripts.
//
//go:embed static
var Static embed.FS
