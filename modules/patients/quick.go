package patients

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/htmx"
	"github.com/wardclinic/ward/core/web"
)

var quickPage = web.NewPage("patients/quick")

// quickSize is how many matches the header's search shows.
const quickSize = 8

// quickView is the quick search's answer: in pick mode (?pick=1, a form's
// patient field) each result picks the patient instead of opening them.
type quickView struct {
	listView
	Pick bool
}

// quick answers the search in every page's header as the person types: the
// first few patients matching, each a link to the patient (Enter opens the
// first). With pick=1 it answers a form's patient field (the booking
// form): each result is a button that picks the patient. Without htmx (a
// browser with scripts off submitting the search) it is the patient list's
// search.
func (m *Module) quick(c *gin.Context) error {
	q := queryFrom(c)
	if !htmx.IsRequest(c.Request) {
		web.Redirect(c, "/patients?q="+url.QueryEscape(q.Q))
		return nil
	}
	v := listView{Query: q, Pager: &web.Pager{Page: 1, Size: quickSize}}
	if q.Q != "" {
		var err error
		if v.Patients, err = m.patients(c).List(c.Request.Context(), q, v.Pager); err != nil {
			return err
		}
	}
	audit.Shown(c.Request.Context(), actionList, refs(v.Patients)...)
	return m.S.Render.Fragment(c, http.StatusOK, quickPage, "quick", web.Page{Data: quickView{listView: v, Pick: c.Query("pick") == "1"}})
}
