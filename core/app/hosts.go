package app

import (
	"net"
	"strings"

	"github.com/gin-gonic/gin"
)

// HostResolver decides which kind of host a request is for. Tenancy plugs in
// its own resolver (which also loads the clinic); the default knows only the
// platform host.
type HostResolver interface {
	// Resolve returns the host kind, or an error answered as the response
	// (typically a 404 "No clinic at this address").
	Resolve(c *gin.Context) (Host, error)
}

const hostKey = "ward.host"

// HostFrom returns the kind of host the request was resolved to.
func HostFrom(c *gin.Context) Host {
	h, _ := c.Get(hostKey)
	hk, _ := h.(Host)
	return hk
}

// Hostname returns the request's host name, lower-cased, without port or a
// trailing dot.
func Hostname(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// baseDomainHosts serves the platform host only.
type baseDomainHosts struct{ base string }

func (b baseDomainHosts) Resolve(c *gin.Context) (Host, error) {
	h := Hostname(c.Request.Host)
	if h == b.base || h == "www."+b.base {
		return PlatformHost, nil
	}
	return 0, errUnknownHost
}
