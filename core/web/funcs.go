package web

import (
	"fmt"
	"html/template"
)

// funcs are the few helpers templates may call. Business rules stay in Go.
var funcs = template.FuncMap{
	// dict builds a map for passing several values to a partial:
	// {{template "field" (dict "Name" "email" "Label" "Email" "Value" .Data.Email)}}.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}
