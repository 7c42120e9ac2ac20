package testenv_test

import (
	"slices"
	"testing"

	"iwtoolkit/internal/testenv"
)

func TestFormsWithoutToken(t *testing.T) {
	page := `<form method="get" action="/search"><input name="q"></form>
<form method="post" action="/good" novalidate><input type="hidden" name="csrf_token" value="abc"></form>
<form method="post" action="/empty"><input type="hidden" name="csrf_token" value=""></form>
<FORM METHOD="POST" action="/none">
<button>Send</button></FORM>`
	if got, want := testenv.FormsWithoutToken(page), []string{"/empty", "/none"}; !slices.Equal(got, want) {
		t.Errorf("FormsWithoutToken = %q, want %q", got, want)
	}
}
