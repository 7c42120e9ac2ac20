package staff

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/survey/workbook"
	"iwtoolkit/internal/versions"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/session"
)

// MaxSurveyUploadBytes bounds the body of the survey upload: the largest
// workbook the reader takes (workbook.MaxFileSize) and the form around it.
// A larger body is refused before it is read.
const MaxSurveyUploadBytes = workbook.MaxFileSize + web.MaxBodyBytes

// Survey versions: drafts made by uploading a workbook or a survey file,
// publishing, history and revert (docs/surveys.md, "Changing a survey
// without a programmer").

// versionRow is one version in a survey's list of versions.
type versionRow struct {
	store.SurveyVersion
	State string
}

// publishRow is one publish in a survey's history.
type publishRow struct {
	store.SurveyPublish
	When string
}

type versionsPage struct {
	session.Page
	ID, Title string
	Live      *survey.Definition // nil for a survey not yet published
	File      string             // the survey's file in IWT_SURVEYS_DIR, if it came from one
	Versions  []versionRow       // newest first
	History   []publishRow       // newest first
	Notice    string
	Approval  bool
}

// surveyVersionsOf finds the survey in the address: one served, or one
// with versions in the store (a new survey not yet published).
func (s *Pages) surveyVersionsOf(c *fiber.Ctx) (p versionsPage, all []store.SurveyVersion, pubs []store.SurveyPublish, err error) {
	id := c.Params("survey")
	ctx := c.UserContext()
	all, err = s.st.SurveyVersionsOf(ctx, id)
	if err != nil {
		return p, nil, nil, err
	}
	pubs, err = s.st.SurveyPublishes(ctx, id)
	if err != nil {
		return p, nil, nil, err
	}
	d, ok := s.surveys.Survey(id)
	if !ok && len(all) == 0 {
		return p, nil, nil, fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	p = versionsPage{Page: session.PageFor(c, "Versions"), ID: id, Title: id, Live: d, Approval: s.approval}
	if ok {
		p.Title = d.Title
		p.File = d.File // "" for a version from the store
	}
	p.Page.Title = p.Title + ": versions"
	p.Back = "/staff/surveys"
	return p, all, pubs, nil
}

func (s *Pages) surveyVersions(c *fiber.Ctx) error {
	p, all, pubs, err := s.surveyVersionsOf(c)
	if err != nil {
		return err
	}
	for i := len(all) - 1; i >= 0; i-- {
		p.Versions = append(p.Versions, versionRow{SurveyVersion: all[i], State: store.StateOf(all[i].Version, pubs)})
	}
	for i := len(pubs) - 1; i >= 0; i-- {
		p.History = append(p.History, publishRow{SurveyPublish: pubs[i], When: rounds.LondonTime(pubs[i].At)})
	}
	if v := c.Query("published"); v != "" {
		p.Notice = "Version " + v + " is live. Every instance of the service serves it within a minute."
	}
	return s.render(c, http.StatusOK, "staff-survey-versions.html", p)
}

// uploadSurvey makes a draft from a workbook or a survey file: every
// problem, each at its cell (or line), and nothing saved; or the draft,
// and its page.
func (s *Pages) uploadSurvey(c *fiber.Ctx) error {
	p, all, pubs, err := s.surveyVersionsOf(c)
	if err != nil {
		return err
	}
	refuse := func(messages ...string) error {
		for _, m := range messages {
			p.Errors = append(p.Errors, survey.FieldError{Field: "file", Message: m})
		}
		for i := len(all) - 1; i >= 0; i-- {
			p.Versions = append(p.Versions, versionRow{SurveyVersion: all[i], State: store.StateOf(all[i].Version, pubs)})
		}
		for i := len(pubs) - 1; i >= 0; i-- {
			p.History = append(p.History, publishRow{SurveyPublish: pubs[i], When: rounds.LondonTime(pubs[i].At)})
		}
		return s.render(c, http.StatusUnprocessableEntity, "staff-survey-versions.html", p)
	}
	name, data, chosen, err := uploadedSurvey(c)
	if err != nil {
		return err
	}
	if !chosen {
		return refuse("Choose a survey workbook (.xlsx) or survey file (.yaml) to upload")
	}
	text, problems := surveyText(p.ID, name, data)
	if len(problems) > 0 {
		return refuse(problems...)
	}
	d, ps := survey.Parse(p.ID+".yaml", text)
	if d == nil { // read as a workbook it was valid: cannot happen
		return refuse(strings.Split(ps.Error(), "\n")...)
	}
	who := session.Of(c).Account.Email
	v, isNew, err := s.st.SaveSurveyVersion(c.UserContext(), store.SurveyVersion{SurveyID: p.ID, Version: d.Version, Text: string(text), MadeBy: who, Made: s.now()})
	if err != nil {
		return err
	}
	if isNew {
		if err := s.sessions.Audit(c, "uploaded a survey draft", p.ID+" version "+v.Version); err != nil {
			return err
		}
	}
	return c.Redirect(versionBase(p.ID, v.Version), http.StatusSeeOther)
}

// surveyText is the survey file an upload makes, or every problem with
// it in plain words, each where it is.
func surveyText(id, name string, data []byte) ([]byte, []string) {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".yaml") || strings.HasSuffix(lower, ".yml") {
		if !bytes.HasPrefix(data, []byte("PK")) {
			_, ps := survey.Parse(id+".yaml", data)
			if len(ps) > 0 {
				return nil, strings.Split(ps.Error(), "\n")
			}
			return data, nil
		}
	}
	wid, text, wps := workbook.SurveyFile(data)
	if len(wps) > 0 {
		return nil, strings.Split(wps.Error(), "\n")
	}
	if wid != id {
		return nil, []string{fmt.Sprintf("settings sheet: this workbook is of the survey %q (its form_id), not %q: upload it on that survey's page, or start a new survey from it", wid, id)}
	}
	return text, nil
}

func versionBase(id, version string) string {
	return "/staff/surveys/" + id + "/versions/" + version
}

// versionPage is one version: what changed from what was served, its
// preview, and the form that publishes it.
type versionPage struct {
	session.Page
	ID, Title string
	V         store.SurveyVersion
	State     string
	Base      string
	Preview   string
	Made      string
	Changes   []versions.Note
	Warnings  int // changes that break comparison with earlier rounds
	LiveID    string
	Reason    string
	Ack       bool
	// OwnDraft: publishing needs a second administrator, and this is the
	// signed-in administrator's own upload.
	OwnDraft bool
}

func (s *Pages) versionPageFor(c *fiber.Ctx) (versionPage, *survey.Definition, error) {
	id, version := c.Params("survey"), c.Params("version")
	ctx := c.UserContext()
	v, err := s.st.SurveyVersion(ctx, id, version)
	if errors.Is(err, store.ErrNotFound) {
		return versionPage{}, nil, fiber.NewError(http.StatusNotFound, "There is no version of this survey at this address")
	}
	if err != nil {
		return versionPage{}, nil, err
	}
	pubs, err := s.st.SurveyPublishes(ctx, id)
	if err != nil {
		return versionPage{}, nil, err
	}
	d, ps := versions.Parse(v)
	if d == nil {
		return versionPage{}, nil, fmt.Errorf("staff: stored survey version %s/%s has problems: %w", id, version, ps)
	}
	served, err := s.st.DefinitionVersions(ctx, id)
	if err != nil {
		return versionPage{}, nil, err
	}
	p := versionPage{Page: session.PageFor(c, d.Title+": version "+v.Version), ID: id, Title: d.Title, V: v,
		State: store.StateOf(v.Version, pubs), Base: versionBase(id, v.Version), Made: rounds.LondonTime(v.Made),
		Preview: "/staff/surveys/" + id + "/preview/" + v.Version}
	p.Back = "/staff/surveys/" + id + "/versions"
	for _, n := range versions.Changes(d, []byte(v.Text), served) {
		if n.Level == "warning" {
			p.Warnings++
		}
		p.Changes = append(p.Changes, n)
	}
	if live, ok := s.surveys.Survey(id); ok {
		p.LiveID = live.Version
		// Indicators and bands: what reports work out, from the live version.
		if live.Version != d.Version {
			p.Changes = append(p.Changes, versions.Figures(live, d, []byte(v.Text))...)
		}
	}
	// Questions and statements new since every version served.
	known := map[string]bool{}
	for _, sv := range served {
		for _, fp := range sv.Fingerprints {
			known[fp.Key] = true
		}
	}
	for _, fp := range store.VersionOf(d, s.now()).Fingerprints {
		if len(served) > 0 && !known[fp.Key] {
			p.Changes = append(p.Changes, versions.Note{Level: "info", Text: fmt.Sprintf("%q is new: %q", fp.Key, fp.Text)})
		}
	}
	p.OwnDraft = s.approval && v.MadeBy == session.Of(c).Account.Email
	return p, d, nil
}

func (s *Pages) surveyVersion(c *fiber.Ctx) error {
	p, _, err := s.versionPageFor(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff-survey-version.html", p)
}

// publishSurvey makes a version live (a draft, or an earlier version: a
// revert), with a reason, and an acknowledgement when it breaks
// comparison with earlier rounds.
func (s *Pages) publishSurvey(c *fiber.Ctx) error {
	p, d, err := s.versionPageFor(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p.Reason, p.Ack = strings.TrimSpace(c.FormValue("reason")), c.FormValue("acknowledge") == "yes"
	add := func(field, message string) {
		p.Errors = append(p.Errors, survey.FieldError{Field: field, Message: message})
	}
	if p.State == store.StateLive {
		add("reason", "This version is live already")
	}
	if p.Reason == "" {
		add("reason", "Enter why you are publishing this version, for its history")
	} else if len(p.Reason) > 500 {
		add("reason", "The reason must be 500 characters or fewer")
	}
	if p.Warnings > 0 && !p.Ack {
		add("acknowledge", "Tick the box to confirm that answers before and after this change cannot be compared, or change the draft")
	}
	if p.OwnDraft {
		add("reason", "Another administrator must publish this version: you uploaded it, and this service asks for a second administrator (IWT_PUBLISH_APPROVAL)")
	}
	if len(p.Errors) == 0 {
		broken, err := s.breaksOpenRound(c, d)
		if err != nil {
			return err
		}
		if broken != "" {
			add("reason", broken)
		}
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "staff-survey-version.html", p)
	}
	pubs, err := s.st.SurveyPublishes(ctx, p.ID)
	if err != nil {
		return err
	}
	who := session.Of(c).Account.Email
	defer web.Detach(c)()
	err = s.st.PublishSurvey(ctx, store.SurveyPublish{SurveyID: p.ID, Version: p.V.Version, N: len(pubs) + 1, By: who, At: s.now(), Reason: p.Reason, Acknowledged: p.Ack && p.Warnings > 0})
	if errors.Is(err, store.ErrConflict) {
		add("reason", "Another administrator published a version of this survey a moment ago: look at its history, then publish again if this version should still be live")
		return s.render(c, http.StatusConflict, "staff-survey-version.html", p)
	}
	if err != nil {
		return err
	}
	target := fmt.Sprintf("%s version %s: %s", p.ID, p.V.Version, p.Reason)
	if p.State == store.StateEarlier {
		target += " (a revert to an earlier version)"
	}
	if p.Ack && p.Warnings > 0 {
		var ws []string
		for _, n := range p.Changes {
			if n.Level == "warning" {
				ws = append(ws, n.Text)
			}
		}
		target += "; acknowledged that it breaks comparison with earlier rounds: " + strings.Join(ws, "; ")
	}
	if err := s.sessions.Audit(c, "published a survey version", target); err != nil {
		return err
	}
	if err := s.versions.Refresh(ctx); err != nil {
		return err
	}
	return c.Redirect("/staff/surveys/"+p.ID+"/versions?published="+url.QueryEscape(p.V.Version), http.StatusSeeOther)
}

// breaksOpenRound says why d cannot be published now, or "": while a
// round of the survey is open with responses, a version must keep every
// answer the round's counts are kept by (its rated items and the
// questions reports are split by), or the round's report would lose the
// counts made so far. Adding questions, and rewording, are allowed.
func (s *Pages) breaksOpenRound(c *fiber.Ctx, d *survey.Definition) (string, error) {
	live, ok := s.surveys.Survey(d.ID)
	if !ok {
		return "", nil
	}
	was, now := store.PlanFor(live), store.PlanFor(d)
	var lost []string
	for i, q := range was.Breakdowns {
		if q != "" && now.Breakdowns[i] != q {
			lost = append(lost, q)
		}
	}
	for _, k := range was.Keys {
		if !slices.Contains(now.Keys, k) {
			lost = append(lost, k)
		}
	}
	if len(lost) == 0 {
		return "", nil
	}
	all, err := rounds.Of(c.UserContext(), s.st, live, s.now())
	if err != nil {
		return "", err
	}
	for _, r := range all {
		if !r.Open {
			continue
		}
		n, err := s.st.CountResponses(c.UserContext(), d.ID, r.ID)
		if err != nil {
			return "", err
		}
		if n > 0 {
			return fmt.Sprintf("This version cannot be published while %s is open: it has responses, and this version leaves out %s, which its report counts. Close the round first, or keep those questions (a new question can be added)", r.Label, quoteList(lost)), nil
		}
	}
	return "", nil
}

func quoteList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return strings.Join(q, ", ")
}

// Downloads.

func xlsx(c *fiber.Ctx, name string, data []byte) error {
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(data)
}

// versionWorkbook downloads a version ("live" for the one served) as a
// workbook, for editing in Excel.
func (s *Pages) versionWorkbook(c *fiber.Ctx) error {
	id, version := c.Params("survey"), c.Params("version")
	d, err := s.versions.Definition(c.UserContext(), id, version)
	if errors.Is(err, store.ErrNotFound) {
		return fiber.NewError(http.StatusNotFound, "There is no version of this survey at this address")
	}
	if err != nil {
		return err
	}
	data, err := workbook.Write(d)
	if err != nil {
		return err
	}
	return xlsx(c, d.ID+"-"+d.Version+".xlsx", data)
}

func (s *Pages) templateWorkbook(c *fiber.Ctx) error {
	data, err := workbook.Template()
	if err != nil {
		return err
	}
	return xlsx(c, "survey-template.xlsx", data)
}

func (s *Pages) exampleWorkbook(c *fiber.Ctx) error {
	data, err := workbook.Example()
	if err != nil {
		return err
	}
	return xlsx(c, "survey-example.xlsx", data)
}

// A new survey, copied from one served.

type newSurveyPage struct {
	session.Page
	Surveys  []*survey.Definition
	From, ID string
}

// surveyID is what a survey's id may be: it names its file and is in its
// addresses.
var surveyID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

func (s *Pages) newSurveyForm(c *fiber.Ctx) error {
	p := newSurveyPage{Page: session.PageFor(c, "Start a new survey"), Surveys: s.surveys.All(), From: c.Query("from")}
	p.Back = "/staff/surveys"
	return s.render(c, http.StatusOK, "staff-survey-new.html", p)
}

func (s *Pages) newSurvey(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := newSurveyPage{Page: session.PageFor(c, "Start a new survey"), Surveys: s.surveys.All(),
		From: c.FormValue("from"), ID: strings.TrimSpace(c.FormValue("id"))}
	p.Back = "/staff/surveys"
	from, ok := s.surveys.Survey(p.From)
	if !ok {
		p.Errors = append(p.Errors, survey.FieldError{Field: "from", Message: "Select the survey to start from"})
	}
	switch {
	case !surveyID.MatchString(p.ID):
		p.Errors = append(p.Errors, survey.FieldError{Field: "id", Message: "Enter an id of lower-case letters, digits and dashes, such as wellbeing-2027"})
	default:
		_, served := s.surveys.Survey(p.ID)
		stored, err := s.st.SurveyVersionsOf(ctx, p.ID)
		if err != nil {
			return err
		}
		if served || len(stored) > 0 {
			p.Errors = append(p.Errors, survey.FieldError{Field: "id", Message: "There is a survey with this id already: choose another"})
		}
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "staff-survey-new.html", p)
	}
	text, err := s.liveText(c, from)
	if err != nil {
		return err
	}
	d, ps := survey.Parse(p.ID+".yaml", text)
	if d == nil {
		return fmt.Errorf("staff: copy of %s as %s has problems: %w", from.ID, p.ID, ps)
	}
	v, _, err := s.st.SaveSurveyVersion(ctx, store.SurveyVersion{SurveyID: p.ID, Version: d.Version, Text: string(text), MadeBy: session.Of(c).Account.Email, Made: s.now()})
	if err != nil {
		return err
	}
	if err := s.sessions.Audit(c, "started a new survey", fmt.Sprintf("%s, copied from %s version %s", p.ID, from.ID, from.Version)); err != nil {
		return err
	}
	return c.Redirect(versionBase(p.ID, v.Version), http.StatusSeeOther)
}

// newSurveyUpload starts a new survey from a workbook (the blank template
// or the filled example, filled in): its form_id is the new survey's id.
func (s *Pages) newSurveyUpload(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := newSurveyPage{Page: session.PageFor(c, "Start a new survey"), Surveys: s.surveys.All()}
	p.Back = "/staff/surveys"
	refuse := func(messages ...string) error {
		for _, m := range messages {
			p.Errors = append(p.Errors, survey.FieldError{Field: "file", Message: m})
		}
		return s.render(c, http.StatusUnprocessableEntity, "staff-survey-new.html", p)
	}
	_, data, chosen, err := uploadedSurvey(c)
	if err != nil {
		return err
	}
	if !chosen {
		return refuse("Choose a survey workbook (.xlsx) to upload")
	}
	id, text, wps := workbook.SurveyFile(data)
	if len(wps) > 0 {
		return refuse(strings.Split(wps.Error(), "\n")...)
	}
	if !surveyID.MatchString(id) {
		return refuse(fmt.Sprintf("settings sheet, column form_id: %q cannot be a new survey's id: use lower-case letters, digits and dashes, such as wellbeing-2027", id))
	}
	_, served := s.surveys.Survey(id)
	stored, err := s.st.SurveyVersionsOf(ctx, id)
	if err != nil {
		return err
	}
	if served || len(stored) > 0 {
		return refuse(fmt.Sprintf("settings sheet, column form_id: there is a survey with the id %q already: give the new survey another id, or upload this workbook on that survey's versions page", id))
	}
	d, ps := survey.Parse(id+".yaml", text)
	if d == nil {
		return refuse(strings.Split(ps.Error(), "\n")...)
	}
	v, _, err := s.st.SaveSurveyVersion(ctx, store.SurveyVersion{SurveyID: id, Version: d.Version, Text: string(text), MadeBy: session.Of(c).Account.Email, Made: s.now()})
	if err != nil {
		return err
	}
	if err := s.sessions.Audit(c, "started a new survey", id+", from an uploaded workbook"); err != nil {
		return err
	}
	return c.Redirect(versionBase(id, v.Version), http.StatusSeeOther)
}

// liveText is the text of the version of d served: from the store.
func (s *Pages) liveText(c *fiber.Ctx, d *survey.Definition) ([]byte, error) {
	v, err := s.st.SurveyVersion(c.UserContext(), d.ID, d.Version)
	if err != nil {
		return nil, err
	}
	return []byte(v.Text), nil
}

// uploadedSurvey is the survey file or workbook sent in the form's "file"
// field, its name, and whether one was chosen; read no further than one
// byte past the largest workbook, which the reader then refuses.
func uploadedSurvey(c *fiber.Ctx) (name string, data []byte, chosen bool, err error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return "", nil, false, nil
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, false, err
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, workbook.MaxFileSize+1))
	return fh.Filename, data, true, err
}
