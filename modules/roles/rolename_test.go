package roles_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestRenamedRoleShowsOnTheNextPage: the role every page names is cached,
// yet a renamed role shows its new name on its members' next page.
func TestRenamedRoleShowsOnTheNextPage(t *testing.T) {
	t.Parallel()
	s := start(t)
	a := onboard(t, s, "sunrise")
	nurse, _ := member(t, s, a, "nurse", "Nina Nurse")
	role := func() string {
		t.Helper()
		r := nurse.Get(a.host, "/dashboard")
		status(t, r, http.StatusOK)
		return strings.TrimSpace(r.Doc(t).Find(".user-role").Text())
	}
	if got := role(); got != "Nurse" {
		t.Fatalf("the page names the role %q", got)
	}
	a.admin.Get(a.host, "/roles?role=nurse")
	status(t, a.admin.PostForm(a.host, "/roles/nurse/rename", url.Values{"name": {"Ward nurse"}}), http.StatusSeeOther)
	if got := role(); got != "Ward nurse" {
		t.Errorf("after the rename the page names the role %q", got)
	}
}
