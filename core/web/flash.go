package web

import (
	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
	gsessions "github.com/gorilla/sessions"

	"github.com/wardclinic/ward/core/htmx"
	"github.com/wardclinic/ward/core/logging"
)

// flashKey is where the message waits in the visitor's session.
const flashKey = "flash"

// Flash keeps a one-line message ("Changes saved.") for the next page the
// visitor sees, usually the one a Redirect sends them to; the page shows it
// once. It lives in the server-side session, not the URL, so a reload or a
// shared link does not repeat it. A visitor who is not signed in gets a
// session for it.
//
// Call it after Sessions.Start or End, never before: both replace the
// session, and what it held with it. After End the message goes into a new
// session whose cookie lasts until the browser closes.
//
// The change it confirms is already made, so a message that cannot be kept
// is logged and lost rather than failing the request.
func Flash(c *gin.Context, msg string) {
	s := session(c)
	if s == nil || msg == "" {
		return
	}
	if g := gorilla(s); g != nil && g.Options != nil && g.Options.MaxAge < 0 {
		// Ended in this request (sign-out): saved as it is, it would only
		// be deleted again. Saved with a browser-session cookie, it becomes
		// a new session that holds just the message.
		o := *g.Options
		o.MaxAge = 0
		g.Options = &o
	}
	s.Set(flashKey, msg)
	if err := s.Save(); err != nil {
		logging.FromContext(c.Request.Context()).Warn().Err(err).Msg("keeping a message for the next page failed")
	}
}

// TakeFlash returns the waiting message, if any, and removes it so a
// reload does not show it again. The renderer calls it for whole pages
// only: an htmx fragment leaves the message for the next page.
func TakeFlash(c *gin.Context) string {
	s := session(c)
	if s == nil || htmx.WantsFragment(c.Request) {
		return ""
	}
	msg, _ := s.Get(flashKey).(string)
	if msg == "" {
		return ""
	}
	s.Delete(flashKey)
	if err := s.Save(); err != nil {
		logging.FromContext(c.Request.Context()).Warn().Err(err).Msg("removing a shown message failed")
	}
	return msg
}

// session returns the request's session, or nil where no session
// middleware runs (there is nowhere to keep a message).
func session(c *gin.Context) sessions.Session {
	s, ok := c.Get(sessions.DefaultKey)
	if !ok {
		return nil
	}
	ss, _ := s.(sessions.Session)
	return ss
}

func gorilla(s sessions.Session) *gsessions.Session {
	g, ok := s.(interface{ Session() *gsessions.Session })
	if !ok {
		return nil
	}
	return g.Session()
}
