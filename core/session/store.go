package session

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/gob"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gorilla/securecookie"
	gsessions "github.com/gorilla/sessions"

	"github.com/wardclinic/ward/core/db"
)

// Store keeps sessions in a core/db collection, so they work on either
// engine. It is gin-contrib/sessions' Store (gorilla's sessions.Store plus
// Options).
//
// The cookie carries only the session id, signed with the secret
// (securecookie's HMAC), so an id can be neither guessed nor forged. The
// rest is in the document {_id, data, modified, expiresAt}; data is the
// session's values in gob. securecookie's codec would add a MAC, a timestamp
// and a 4 KB limit, all made for values that travel to the browser; the
// document never leaves the server, so they would cost and protect nothing.
//
// Only a new session is inserted (Start asks for one: a new id at sign-in).
// Saving any other session updates its document and never creates it, so a
// request that read a session before it was ended elsewhere cannot bring it
// back; such a save returns errEnded.
type Store struct {
	coll    *db.Collection
	codecs  []securecookie.Codec
	maxAge  time.Duration
	options *gsessions.Options // of new sessions
}

var _ sessions.Store = (*Store)(nil)

// errEnded: the session's document is gone (logout, ended from elsewhere,
// cleaned up) or past its lifetime, so it was not written.
var errEnded = errors.New("session: ended")

// document is a stored session.
type document struct {
	ID        string    `bson:"_id"`
	Data      []byte    `bson:"data"`
	Modified  time.Time `bson:"modified"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

// NewStore returns a store over coll. A session lives at most maxAge after
// it was created, and its cookie's signature is refused after that too.
func NewStore(coll *db.Collection, secret []byte, maxAge time.Duration) *Store {
	sc := securecookie.New(secret, nil)
	sc.MaxAge(int(maxAge.Seconds()))
	return &Store{
		coll:    coll,
		codecs:  []securecookie.Codec{sc},
		maxAge:  maxAge,
		options: &gsessions.Options{Path: "/", MaxAge: int(maxAge.Seconds())},
	}
}

// Options sets the cookie options of new sessions. Call it before serving.
func (s *Store) Options(o sessions.Options) { s.options = o.ToGorillaOptions() }

// Get returns the request's session, reading it once per request.
func (s *Store) Get(r *http.Request, name string) (*gsessions.Session, error) {
	return gsessions.GetRegistry(r).Get(s, name)
}

// New reads the session the request's cookie names. Without a valid cookie
// or a live document it returns a new, empty session (IsNew, no id); an
// error is returned only when the database could not be read, alongside an
// empty session, so the request goes on as nobody's.
func (s *Store) New(r *http.Request, name string) (*gsessions.Session, error) {
	sess := gsessions.NewSession(s, name)
	opts := *s.options
	sess.Options = &opts
	sess.IsNew = true
	ck, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	var id string
	if err := securecookie.DecodeMulti(name, ck.Value, &id, s.codecs...); err != nil {
		return sess, nil // tampered with, or older than any session: nobody's
	}
	values, err := s.load(r.Context(), id)
	if errors.Is(err, errEnded) {
		return sess, nil
	}
	if err != nil {
		return sess, err
	}
	sess.ID, sess.Values, sess.IsNew = id, values, false
	return sess, nil
}

// load returns the values of the live session id, or errEnded when there
// is none.
func (s *Store) load(ctx context.Context, id string) (map[any]any, error) {
	var doc document
	err := s.coll.FindOne(ctx, db.ID(id), &doc)
	if errors.Is(err, db.ErrNotFound) {
		return nil, errEnded
	}
	if err != nil {
		return nil, fmt.Errorf("session: reading: %w", err)
	}
	if !time.Now().Before(doc.ExpiresAt) {
		return nil, errEnded // the cleanup job removes it
	}
	values := map[any]any{}
	if err := gob.NewDecoder(bytes.NewReader(doc.Data)).Decode(&values); err != nil {
		return nil, fmt.Errorf("session: decoding: %w", err)
	}
	return values, nil
}

// Save writes the session: a session whose options say MaxAge < 0 is
// deleted with its cookie; a new one is inserted under a new id and its
// cookie set; any other is updated, or errEnded when its document is gone.
// The cookie is not sent again on an update: it names the same id.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *gsessions.Session) error {
	ctx := r.Context()
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if _, err := s.coll.Delete(ctx, db.ID(sess.ID)); err != nil {
				return fmt.Errorf("session: deleting: %w", err)
			}
		}
		http.SetCookie(w, gsessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	var data bytes.Buffer
	if err := gob.NewEncoder(&data).Encode(sess.Values); err != nil {
		return fmt.Errorf("session: encoding: %w", err)
	}
	now := time.Now()
	if sess.IsNew || sess.ID == "" {
		return s.insert(ctx, w, sess, data.Bytes(), now)
	}
	n, err := s.coll.Update(ctx, db.And(db.ID(sess.ID), db.Gt("expiresAt", now)),
		db.Set("data", data.Bytes()).Set("modified", now))
	if err != nil {
		return fmt.Errorf("session: updating: %w", err)
	}
	if n == 0 {
		return errEnded
	}
	return nil
}

// insert stores a new session under a new id and sends its cookie.
func (s *Store) insert(ctx context.Context, w http.ResponseWriter, sess *gsessions.Session, data []byte, now time.Time) error {
	id := newID()
	cookie, err := securecookie.EncodeMulti(sess.Name(), id, s.codecs...)
	if err != nil {
		return fmt.Errorf("session: signing the cookie: %w", err)
	}
	doc := document{ID: id, Data: data, Modified: now, ExpiresAt: now.Add(s.maxAge)}
	if err := s.coll.Insert(ctx, doc); err != nil {
		return fmt.Errorf("session: inserting: %w", err)
	}
	sess.ID, sess.IsNew = id, false
	http.SetCookie(w, gsessions.NewCookie(sess.Name(), cookie, sess.Options))
	return nil
}

// newID returns a session id: 32 random bytes, base64url.
func newID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand aborts the program instead)
	return base64.RawURLEncoding.EncodeToString(b)
}
