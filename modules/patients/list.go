package patients

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/web"
)

var listPage = web.NewPage("patients/list")

type listView struct {
	Query    Query
	Patients []Patient
	Pager    *web.Pager
}

func queryFrom(c *gin.Context) Query {
	q := c.Query("q")
	if len(q) > 100 {
		q = q[:100]
	}
	return Query{Q: strings.TrimSpace(q), Archived: c.Query("archived") == "1"}
}

// find returns the page of patients a list request asks for, reported as
// shown: the page and the API list the same patients the same way.
func (m *Module) find(c *gin.Context) (listView, error) {
	ctx := c.Request.Context()
	v := listView{Query: queryFrom(c), Pager: web.PagerFrom(c, PageSize)}
	var err error
	if v.Patients, err = m.patients(c).List(ctx, v.Query, v.Pager); err != nil {
		return listView{}, err
	}
	audit.Shown(ctx, actionList, refs(v.Patients)...)
	return v, nil
}

// list shows a page of patients. Search as you type asks for the results
// only (web.WantsResults); the URL keeps ?q= so a search can be bookmarked
// or shared.
func (m *Module) list(c *gin.Context) error {
	v, err := m.find(c)
	if err != nil {
		return err
	}
	return m.S.Render.List(c, http.StatusOK, listPage, web.Page{Title: "Patients", Data: v})
}
