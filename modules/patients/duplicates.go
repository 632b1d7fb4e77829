package patients

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/web"
)

// duplicates answers the registration form's live panel: as the name, date
// of birth and phone are typed, it lists patients who may be the same
// person. It is advice; saving checks again.
func (m *Module) duplicates(c *gin.Context) error {
	ctx := c.Request.Context()
	f := FormFromValues(c.Query)
	var dob time.Time
	if d, err := time.Parse(time.DateOnly, f.DateOfBirth); err == nil {
		dob = d
	}
	dups, err := m.patients(c).Duplicates(ctx, f.FirstName, f.LastName, dob, f.Phone, c.Query("except"))
	if err != nil {
		return err
	}
	audit.Shown(ctx, actionList, refs(dups)...)
	return m.S.Render.Fragment(c, http.StatusOK, formPage, "duplicates", web.Page{Data: formView{Duplicates: dups}})
}
