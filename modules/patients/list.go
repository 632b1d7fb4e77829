package patients

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/htmx"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
)

var listPage = web.NewPage("patients/list")

type listView struct {
	Query  Query
	Result Result
	Pages  []pageLink
}

type pageLink struct {
	N       int
	Href    string
	Current bool
	Gap     bool // "…" between page numbers
}

func queryFrom(c *gin.Context) Query {
	page, _ := strconv.Atoi(c.Query("page"))
	q := c.Query("q")
	if len(q) > 100 {
		q = q[:100]
	}
	return Query{Q: strings.TrimSpace(q), Archived: c.Query("archived") == "1", Page: max(page, 1)}
}

// list shows a page of patients. Search as you type asks for the results
// table only (hx-target="results"); the URL keeps ?q= so a search can be
// bookmarked or shared.
func (m *Module) list(c *gin.Context) error {
	ctx := c.Request.Context()
	q := queryFrom(c)
	res, err := store{tenant.DB(ctx)}.List(ctx, q)
	if err != nil {
		return err
	}
	audit.Shown(ctx, audit.PatientList, refs(res.Patients)...)
	p := web.Page{Title: "Patients", Data: listView{Query: q, Result: res, Pages: pageLinks(q, res)}}
	if htmx.WantsFragment(c.Request) && htmx.Target(c.Request) == "results" {
		return m.render.Fragment(c, http.StatusOK, listPage, "results", p)
	}
	return m.render.Page(c, http.StatusOK, listPage, p)
}

// pageLinks numbers the pages around the current one, with the first and
// last always reachable.
func pageLinks(q Query, r Result) []pageLink {
	if r.Pages <= 1 {
		return nil
	}
	var out []pageLink
	last := 0
	for n := 1; n <= r.Pages; n++ {
		if n != 1 && n != r.Pages && (n < r.Page-2 || n > r.Page+2) {
			continue
		}
		if last != 0 && n > last+1 {
			out = append(out, pageLink{Gap: true})
		}
		out = append(out, pageLink{N: n, Href: listURL(q, n), Current: n == r.Page})
		last = n
	}
	return out
}

func listURL(q Query, page int) string {
	v := make([]string, 0, 3)
	if q.Q != "" {
		v = append(v, "q="+urlEscape(q.Q))
	}
	if q.Archived {
		v = append(v, "archived=1")
	}
	if page > 1 {
		v = append(v, "page="+strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/patients"
	}
	return "/patients?" + strings.Join(v, "&")
}
