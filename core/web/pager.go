package web

import (
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/htmx"
)

// ResultsTarget is the id of the element holding a list's results: its
// search form and page links ask htmx to replace only that element.
const ResultsTarget = "results"

// PageParam is the query parameter that carries the page number.
const PageParam = "page"

// maxPage bounds the page number a URL may ask for, so Skip cannot
// overflow; SetTotal brings it back to the last page anyway.
const maxPage = math.MaxInt32

// MaxPages is how deep a list pages: past a hundred pages people search,
// and counting (and skipping) a clinic's whole index on every page would
// make a big clinic's list slower than a small one's.
const MaxPages = 100

// linkSpan is how many page numbers are linked on each side of the
// current one; the first and last pages are always linked.
const linkSpan = 2

// WantsResults reports whether the request asks for a list's results only
// (search as you type, a page link), not the whole page.
func WantsResults(c *gin.Context) bool {
	return htmx.WantsFragment(c.Request) && htmx.Target(c.Request) == ResultsTarget
}

// Pager is one page of a list: which page the request asked for, how many
// there are once the matches are counted, and the links to the others.
// Every list pages through one, so page numbers mean the same everywhere.
type Pager struct {
	Page  int   // from 1
	Size  int   // items per page
	Total int64 // matches counted
	More  bool  // more than Total match: the count stopped early
	Pages int   // at least 1 once SetTotal is called

	path  string
	query string // the request's raw query, page links keep it
}

// PageLink is one entry of a pager: a page number, or a gap ("…").
type PageLink struct {
	N       int
	Href    string
	Current bool
	Gap     bool
}

// PagerFrom returns the pager for a list of size items per page, at the
// page ?page= asks for. Anything that is not a page number means the first
// page: links are made by Ward, so junk is an old or hand-edited URL.
func PagerFrom(c *gin.Context, size int) *Pager {
	u := c.Request.URL
	return &Pager{Page: pageNumber(u.Query().Get(PageParam)), Size: max(size, 1), path: u.Path, query: u.RawQuery}
}

func pageNumber(s string) int {
	n, err := strconv.Atoi(s)
	switch {
	case errors.Is(err, strconv.ErrRange) && n > 0:
		return maxPage
	case err != nil || n < 1:
		return 1
	}
	return min(n, maxPage)
}

// SetTotal records how many items match; more says the count stopped
// before the end (see db.Collection.CountUpTo). A page past the end (a
// bookmark of a list that shrank) becomes the last page.
func (p *Pager) SetTotal(total int64, more bool) {
	p.Total, p.More = max(total, 0), more
	p.Pages = max(1, int((p.Total+int64(p.Size)-1)/int64(p.Size)))
	p.Page = min(p.Page, p.Pages)
}

// CountLimit is where counting the matches stops: MaxPages pages.
func (p *Pager) CountLimit() int64 { return MaxPages * int64(p.Size) }

// Skip is how many items come before the page.
func (p *Pager) Skip() int64 { return int64(p.Page-1) * int64(p.Size) }

// Limit is how many items the page shows.
func (p *Pager) Limit() int64 { return int64(p.Size) }

// First is the 1-based number of the page's first item, 0 when none.
func (p *Pager) First() int64 {
	if p.Skip() >= p.Total {
		return 0
	}
	return p.Skip() + 1
}

// Last is the number of the page's last item, 0 when none.
func (p *Pager) Last() int64 {
	if p.First() == 0 {
		return 0
	}
	return min(p.Skip()+p.Limit(), p.Total)
}

// Prev is the address of the page before, "" on the first.
func (p *Pager) Prev() string {
	if p.Page <= 1 {
		return ""
	}
	return p.URL(p.Page - 1)
}

// Next is the address of the page after, "" on the last.
func (p *Pager) Next() string {
	if p.Page >= p.Pages {
		return ""
	}
	return p.URL(p.Page + 1)
}

// Links numbers the pages around the current one, with the first and the
// last always reachable and a gap where numbers are left out. A gap never
// hides a single page: that page is shown instead. One page has no links.
func (p *Pager) Links() []PageLink {
	if p.Pages <= 1 {
		return nil
	}
	lo, hi := max(1, p.Page-linkSpan), min(p.Pages, p.Page+linkSpan)
	var nums []int
	if lo > 1 {
		nums = append(nums, 1)
	}
	for n := lo; n <= hi; n++ {
		nums = append(nums, n)
	}
	if hi < p.Pages {
		nums = append(nums, p.Pages)
	}
	var out []PageLink
	for i, n := range nums {
		if i > 0 {
			switch prev := nums[i-1]; {
			case n == prev+2:
				out = append(out, p.link(prev+1))
			case n > prev+2:
				out = append(out, PageLink{Gap: true})
			}
		}
		out = append(out, p.link(n))
	}
	return out
}

func (p *Pager) link(n int) PageLink {
	return PageLink{N: n, Href: p.URL(n), Current: n == p.Page}
}

// URL is the address of page n: the request's path and query with only the
// page number changed (page 1 has none), so filters and searches are kept
// in the order the request gave them.
func (p *Pager) URL(n int) string {
	var q []string
	for part := range strings.SplitSeq(p.query, "&") {
		k, v, _ := strings.Cut(part, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if key == "" || key == PageParam || err1 != nil || err2 != nil {
			continue
		}
		q = append(q, url.QueryEscape(key)+"="+url.QueryEscape(val))
	}
	if n > 1 {
		q = append(q, PageParam+"="+strconv.Itoa(n))
	}
	// One leading slash: "//host" would be a link to another site.
	path := "/" + strings.TrimLeft((&url.URL{Path: p.path}).EscapedPath(), "/")
	if len(q) == 0 {
		return path
	}
	return path + "?" + strings.Join(q, "&")
}
