package app

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// Static serves the embedded static files. URLs made by URL carry a hash of
// the file's content, so browsers may keep them for a year: a changed file
// gets a new URL.
type Static struct {
	fsys   fs.FS
	hashes map[string]string // path → short content hash
}

// NewStatic indexes every file of fsys.
func NewStatic(fsys fs.FS) *Static {
	s := &Static{fsys: fsys, hashes: map[string]string{}}
	if fsys == nil {
		return s
	}
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		s.hashes[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return s
}

// URL returns the versioned URL of a static file ("css/ward.css").
func (s *Static) URL(p string) string {
	if h, ok := s.hashes[p]; ok {
		return "/static/" + p + "?v=" + h
	}
	return "/static/" + p
}

// Has reports whether a static file exists.
func (s *Static) Has(p string) bool { _, ok := s.hashes[p]; return ok }

func (s *Static) serve(c *gin.Context) {
	p := strings.TrimPrefix(c.Param("path"), "/")
	h, ok := s.hashes[p]
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	if c.Query("v") == h {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "public, max-age=300")
	}
	c.FileFromFS(p, http.FS(s.fsys))
}
