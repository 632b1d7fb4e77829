package dbtest

import "testing"

func TestWithDatabase(t *testing.T) {
	cases := []struct{ in, want string }{
		{"mongodb://127.0.0.1:27017/", "mongodb://127.0.0.1:27017/t1"},
		{"mongodb://127.0.0.1:27017", "mongodb://127.0.0.1:27017/t1"},
		{"mongodb://h1:1,h2:2/ward?replicaSet=rs", "mongodb://h1:1,h2:2/t1?replicaSet=rs"},
		{"mongodb://u:p@h/ward", "mongodb://u:p@h/t1?authSource=ward"},
		{"mongodb+srv://u:p@cluster.example/?retryWrites=true", "mongodb+srv://u:p@cluster.example/t1?retryWrites=true&authSource=admin"},
		{"mongodb://u:p@h/ward?authSource=admin", "mongodb://u:p@h/t1?authSource=admin"},
	}
	for _, c := range cases {
		if got := withDatabase(c.in, "t1"); got != c.want {
			t.Errorf("withDatabase(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
