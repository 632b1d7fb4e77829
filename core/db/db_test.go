package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/wardclinic/ward/core/db"
)

// open starts the embedded database in dir and waits until it answers.
func open(t *testing.T, dir string) *db.Store {
	t.Helper()
	s, err := db.Open(db.Options{DataDir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WaitReachable(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDataSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	s := open(t, dir)
	if _, err := s.Database().Collection("notes").InsertOne(ctx, bson.M{"_id": "n1", "text": "kept"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	s = open(t, dir)
	defer s.Close(ctx)
	var got struct {
		Text string `bson:"text"`
	}
	if err := s.Database().Collection("notes").FindOne(ctx, bson.M{"_id": "n1"}).Decode(&got); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if got.Text != "kept" {
		t.Fatalf("after restart: text = %q", got.Text)
	}
}

func TestIndexValidation(t *testing.T) {
	cases := []struct {
		name string
		ix   db.Index
		ok   bool
	}{
		{"led by tenantId", db.Index{Collection: "p", Keys: bson.D{{Key: "tenantId", Value: 1}, {Key: "lastName", Value: 1}}}, true},
		{"not led by tenantId", db.Index{Collection: "p", Keys: bson.D{{Key: "lastName", Value: 1}, {Key: "tenantId", Value: 1}}}, false},
		{"platform index", db.Index{Collection: "tenants", Keys: bson.D{{Key: "subdomain", Value: 1}}, Platform: true}, true},
		{"no keys", db.Index{Collection: "p"}, false},
		{"no collection", db.Index{Keys: bson.D{{Key: "tenantId", Value: 1}}}, false},
	}
	for _, c := range cases {
		err := c.ix.Validate()
		if (err == nil) != c.ok {
			t.Errorf("%s: Validate() = %v", c.name, err)
		}
	}
}

func TestEnsureIndexesNamesOwnerOnFailure(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	defer s.Close(ctx)
	bad := db.Index{Collection: "p", Keys: bson.D{{Key: "name", Value: 1}}}
	err := s.EnsureIndexes(ctx, "patients", []db.Index{bad})
	if err == nil || !strings.Contains(err.Error(), "patients") || !strings.Contains(err.Error(), "name_1") {
		t.Fatalf("error = %v", err)
	}
	// A duplicate of the same index is not an error: start-up runs it each time.
	good := db.Index{Collection: "p", Keys: bson.D{{Key: "tenantId", Value: 1}, {Key: "n", Value: 1}}, Unique: true}
	for range 2 {
		if err := s.EnsureIndexes(ctx, "patients", []db.Index{good}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestUnreachableDatabaseIsRetriedUntilContextEnds(t *testing.T) {
	s, err := db.Open(db.Options{URI: "mongodb://127.0.0.1:1/ward?connectTimeoutMS=200&serverSelectionTimeoutMS=200", Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if err := s.WaitReachable(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitReachable = %v, want deadline exceeded", err)
	}
	if s.Ready(context.Background()) {
		t.Fatal("an unreachable database reports ready")
	}
}
