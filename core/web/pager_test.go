package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/htmx"
	"github.com/wardclinic/ward/core/web"
)

// pagerAt returns the pager a request for target would get.
func pagerAt(target string, size int) *web.Pager {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodGet, target, nil)
	return web.PagerFrom(c, size)
}

func TestPagerPageFromTheQuery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		query string
		page  int // as read
		last  int // after SetTotal(26) with 25 a page
	}{
		{"", 1, 1},
		{"page=1", 1, 1},
		{"page=2", 2, 2},
		{"page=3", 3, 2},
		{"page=0", 1, 1},
		{"page=-4", 1, 1},
		{"page=abc", 1, 1},
		{"page=1.5", 1, 1},
		{"page=+2", 1, 1}, // "+" is a space in a query
		{"page=%202", 1, 1},
		{"page=", 1, 1},
		{"page=2&page=9", 2, 2},
		{"q=x&page=2", 2, 2},
		{"page=2147483647", 2147483647, 2},
		{"page=2147483648", 2147483647, 2},
		{"page=99999999999999999999", 2147483647, 2},
		{"page=-99999999999999999999", 1, 1},
	} {
		t.Run(tc.query, func(t *testing.T) {
			p := pagerAt("/patients?"+tc.query, 25)
			if p.Page != tc.page {
				t.Fatalf("Page = %d, want %d", p.Page, tc.page)
			}
			if p.Skip() < 0 {
				t.Fatalf("Skip = %d before the total is known", p.Skip())
			}
			p.SetTotal(26, false)
			if p.Page != tc.last {
				t.Fatalf("after SetTotal(26): Page = %d, want %d", p.Page, tc.last)
			}
		})
	}
}

func TestPagerSetTotal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		page, size  int
		total       int64
		more        bool
		wantPage    int
		pages       int
		skip        int64
		first, last int64
		prev, next  string
	}{
		{1, 25, 0, false, 1, 1, 0, 0, 0, "", ""},
		{4, 25, 0, false, 1, 1, 0, 0, 0, "", ""},
		{1, 25, -3, false, 1, 1, 0, 0, 0, "", ""},
		{1, 25, 1, false, 1, 1, 0, 1, 1, "", ""},
		{1, 25, 25, false, 1, 1, 0, 1, 25, "", ""},
		{1, 25, 26, false, 1, 2, 0, 1, 25, "", "/l?page=2"},
		{2, 25, 26, false, 2, 2, 25, 26, 26, "/l", ""},
		{9, 25, 26, false, 2, 2, 25, 26, 26, "/l", ""},
		{3, 50, 120, false, 3, 3, 100, 101, 120, "/l?page=2", ""},
		{2, 50, 120, false, 2, 3, 50, 51, 100, "/l", "/l?page=3"},
		{150, 25, 2500, true, 100, 100, 2475, 2476, 2500, "/l?page=99", ""},
		{1, 0, 3, false, 1, 3, 0, 1, 1, "", "/l?page=2"}, // a size below 1 is 1
	} {
		name := fmt.Sprintf("page %d of total %d by %d", tc.page, tc.total, tc.size)
		t.Run(name, func(t *testing.T) {
			p := pagerAt(fmt.Sprintf("/l?page=%d", tc.page), tc.size)
			p.SetTotal(tc.total, tc.more)
			got := fmt.Sprint(p.Page, p.Pages, p.Skip(), p.First(), p.Last(), p.More, p.Prev(), p.Next())
			want := fmt.Sprint(tc.wantPage, tc.pages, tc.skip, tc.first, tc.last, tc.more, tc.prev, tc.next)
			if got != want {
				t.Fatalf("Page Pages Skip First Last More Prev Next:\n got %s\nwant %s", got, want)
			}
			if p.Limit() != int64(max(tc.size, 1)) {
				t.Fatalf("Limit = %d", p.Limit())
			}
		})
	}
}

// links writes a pager's links compactly: "1 … 4 [5] 6 … 10".
func links(p *web.Pager) string {
	var out []string
	for _, l := range p.Links() {
		switch {
		case l.Gap:
			out = append(out, "…")
		case l.Current:
			out = append(out, fmt.Sprintf("[%d]", l.N))
		default:
			out = append(out, fmt.Sprint(l.N))
		}
	}
	return strings.Join(out, " ")
}

func TestPagerLinks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		page, pages int
		want        string
	}{
		{1, 1, ""},
		{1, 2, "[1] 2"},
		{2, 2, "1 [2]"},
		{3, 5, "1 2 [3] 4 5"},
		{4, 7, "1 2 3 [4] 5 6 7"},
		{1, 10, "[1] 2 3 … 10"},
		{3, 10, "1 2 [3] 4 5 … 10"},
		{4, 10, "1 2 3 [4] 5 6 … 10"},
		{5, 10, "1 2 3 4 [5] 6 7 … 10"}, // 2 alone would be hidden: shown
		{6, 10, "1 … 4 5 [6] 7 8 9 10"}, // so would 9
		{7, 10, "1 … 5 6 [7] 8 9 10"},
		{10, 10, "1 … 8 9 [10]"},
		{50, 100, "1 … 48 49 [50] 51 52 … 100"},
		{100, 100, "1 … 98 99 [100]"},
	} {
		t.Run(fmt.Sprintf("%d of %d", tc.page, tc.pages), func(t *testing.T) {
			p := pagerAt(fmt.Sprintf("/l?page=%d", tc.page), 10)
			p.SetTotal(int64(tc.pages)*10, false)
			if got := links(p); got != tc.want {
				t.Fatalf("links:\n got %s\nwant %s", got, tc.want)
			}
			for _, l := range p.Links() {
				if !l.Gap && l.Href != p.URL(l.N) {
					t.Errorf("link %d goes to %q, want %q", l.N, l.Href, p.URL(l.N))
				}
			}
		})
	}
	if p := pagerAt("/l?page=3", 10); p.Links() != nil {
		t.Errorf("links before the total is known: %v", p.Links())
	}
}

// Page links keep the rest of the request's query, in its order, escaped,
// with only the page number changed.
func TestPagerURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		target string
		n      int
		want   string
	}{
		{"/patients", 1, "/patients"},
		{"/patients", 2, "/patients?page=2"},
		{"/patients?page=3", 1, "/patients"},
		{"/patients?q=zed&archived=1", 2, "/patients?q=zed&archived=1&page=2"},
		{"/patients?archived=1&q=zed&page=2", 1, "/patients?archived=1&q=zed"},
		{"/patients?page=2&q=zed", 3, "/patients?q=zed&page=3"},
		{"/patients?q=zo%C3%AB+n%C3%BA%C3%B1ez", 2, "/patients?q=zo%C3%AB+n%C3%BA%C3%B1ez&page=2"},
		{"/patients?q=zo%c3%ab%20n", 2, "/patients?q=zo%C3%AB+n&page=2"},
		{"/patients?q=a%26page%3D9", 2, "/patients?q=a%26page%3D9&page=2"},
		{"/patients?q=%22%3E%3Cscript%3E", 2, "/patients?q=%22%3E%3Cscript%3E&page=2"},
		{"/audit?user=u1&user=u2&action=", 2, "/audit?user=u1&user=u2&action=&page=2"},
		{"/audit?flag&x=1", 2, "/audit?flag=&x=1&page=2"},
		{"/audit?&&x=1&", 2, "/audit?x=1&page=2"},
		{"/audit?x=%zz&y=1", 2, "/audit?y=1&page=2"},
		{"/audit?pag%65=7&y=1", 2, "/audit?y=1&page=2"},
		{"/a%20b/list?x=1", 2, "/a%20b/list?x=1&page=2"},
	} {
		t.Run(tc.target, func(t *testing.T) {
			if got := pagerAt(tc.target, 10).URL(tc.n); got != tc.want {
				t.Fatalf("URL(%d) = %s, want %s", tc.n, got, tc.want)
			}
		})
	}
	// A path that starts with two slashes must not become a link to a host.
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "//evil.example/list", RawQuery: "page=2"}}
	if got := web.PagerFrom(c, 10).URL(1); got != "/evil.example/list" {
		t.Fatalf("URL of a //path = %s", got)
	}
}

func TestWantsResults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		headers map[string]string
		want    bool
	}{
		{"a browser", nil, false},
		{"htmx for the results", map[string]string{htmx.HeaderRequest: "true", htmx.HeaderTarget: web.ResultsTarget}, true},
		{"htmx for the page", map[string]string{htmx.HeaderRequest: "true"}, false},
		{"htmx for another element", map[string]string{htmx.HeaderRequest: "true", htmx.HeaderTarget: "form"}, false},
		{"boosted", map[string]string{htmx.HeaderRequest: "true", htmx.HeaderBoosted: "true", htmx.HeaderTarget: web.ResultsTarget}, false},
		{"history restore", map[string]string{htmx.HeaderRequest: "true", htmx.HeaderHistoryRestore: "true", htmx.HeaderTarget: web.ResultsTarget}, false},
		{"target without htmx", map[string]string{htmx.HeaderTarget: web.ResultsTarget}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest(http.MethodGet, "/patients?q=a", nil)
			for k, v := range tc.headers {
				c.Request.Header.Set(k, v)
			}
			if got := web.WantsResults(c); got != tc.want {
				t.Fatalf("WantsResults = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPagerPartial(t *testing.T) {
	t.Parallel()
	one := pagerAt("/patients?q=x", 25)
	one.SetTotal(25, false)
	if got := partial(t, "pager", one); got != "" {
		t.Fatalf("one page renders %q, want nothing", got)
	}

	p := pagerAt("/patients?q=%22%3E%3Cb%3E&page=5", 25)
	p.SetTotal(250, false)
	d, err := goquery.NewDocumentFromReader(strings.NewReader(partial(t, "pager", p)))
	if err != nil {
		t.Fatal(err)
	}
	nav := d.Find("nav[aria-label=Pages] ul.pagination")
	if nav.Length() != 1 {
		t.Fatal("no pages navigation")
	}
	if got := nav.Find("li").Length(); got != len(p.Links()) {
		t.Errorf("%d items for %d links", got, len(p.Links()))
	}
	if cur := nav.Find("[aria-current=page]"); cur.Length() != 1 || cur.Text() != "5" || cur.Is("a") {
		t.Errorf("current page: %d marked, text %q", cur.Length(), cur.Text())
	}
	var got []string
	nav.Find("a").Each(func(_ int, a *goquery.Selection) {
		href := a.AttrOr("href", "")
		if a.AttrOr("hx-get", "") != href || a.AttrOr("hx-target", "") != "#"+web.ResultsTarget ||
			a.AttrOr("hx-swap", "") != "outerHTML" || a.AttrOr("hx-push-url", "") != "true" {
			t.Errorf("link %q: htmx attributes %v", a.Text(), a.Nodes[0].Attr)
		}
		if a.AttrOr("aria-label", "") != "Page "+a.Text() {
			t.Errorf("link %q labelled %q", a.Text(), a.AttrOr("aria-label", ""))
		}
		got = append(got, a.Text()+" "+href)
	})
	want := []string{
		"1 /patients?q=%22%3E%3Cb%3E",
		"2 /patients?q=%22%3E%3Cb%3E&page=2",
		"3 /patients?q=%22%3E%3Cb%3E&page=3",
		"4 /patients?q=%22%3E%3Cb%3E&page=4",
		"6 /patients?q=%22%3E%3Cb%3E&page=6",
		"7 /patients?q=%22%3E%3Cb%3E&page=7",
		"10 /patients?q=%22%3E%3Cb%3E&page=10",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("links:\n got %q\nwant %q", got, want)
	}
	if nav.Find("li").FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == "…" }).Length() != 1 {
		t.Error("no gap between 7 and 10")
	}
}
